"""Re-fold the stored search text so 〔2026〕, [2026] and （2026） match each other."""

from typing import Any

from django.db import migrations


def refold(apps: Any, schema_editor: Any) -> None:
    from sanxiang.disclosure.drafting import search_fold

    publication = apps.get_model("disclosure", "Publication")
    batch = []
    for row in publication.objects.only("id", "search_text").iterator(chunk_size=2000):
        folded = search_fold(row.search_text)
        if folded != row.search_text:
            row.search_text = folded
            batch.append(row)
        if len(batch) >= 2000:
            publication.objects.bulk_update(batch, ["search_text"])
            batch = []
    publication.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_search_trigram")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
