"""Execution of penalty decisions: payments, 延期/分期, 强制执行, 终结 (issue 10, item 7),
and the 时效 facts of a case (行政处罚法 第36条)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_cockpit_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 时效 at 立案 (行政处罚法 第36条): raw ADD COLUMN, not AddField, as 0006 explains (a
        # default rebuilds the table on SQLite, and cases_case carries triggers).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="case",
                    name="discovered_on",
                    field=models.DateField(blank=True, null=True, verbose_name="发现日期"),
                ),
                migrations.AddField(
                    model_name="case",
                    name="limitation_basis",
                    field=models.CharField(blank=True, max_length=200, verbose_name="时效依据"),
                ),
                migrations.AddField(
                    model_name="case",
                    name="limitation_years",
                    field=models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="追责时效（年）"
                    ),
                ),
                migrations.AddField(
                    model_name="case",
                    name="violation_on",
                    field=models.DateField(
                        blank=True, null=True, verbose_name="违法行为发生（终了）日期"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE cases_case ADD COLUMN violation_on date NULL",
                        "ALTER TABLE cases_case ADD COLUMN discovered_on date NULL",
                        "ALTER TABLE cases_case ADD COLUMN limitation_years smallint NULL "
                        "CHECK (limitation_years >= 0)",
                        "ALTER TABLE cases_case "
                        "ADD COLUMN limitation_basis varchar(200) NOT NULL DEFAULT ''",
                    ],
                    reverse_sql=[
                        "ALTER TABLE cases_case DROP COLUMN limitation_basis",
                        "ALTER TABLE cases_case DROP COLUMN limitation_years",
                        "ALTER TABLE cases_case DROP COLUMN discovered_on",
                        "ALTER TABLE cases_case DROP COLUMN violation_on",
                    ],
                ),
            ],
        ),
        migrations.CreateModel(
            name="ExecutionRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("deferral", "批准延期缴纳"),
                            ("instalments", "批准分期缴纳"),
                            ("enforcement_applied", "申请人民法院强制执行"),
                            ("enforcement_concluded", "强制执行完毕"),
                            ("terminated", "终结执行"),
                        ],
                        max_length=24,
                        verbose_name="事项",
                    ),
                ),
                ("on", models.DateField(verbose_name="日期")),
                ("due_on", models.DateField(blank=True, null=True, verbose_name="缴纳期限")),
                ("instalments", models.TextField(blank=True, verbose_name="分期计划")),
                ("reason", models.CharField(blank=True, max_length=32, verbose_name="终结事由")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="登记时间"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="execution_records",
                        to="cases.case",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
            ],
            options={
                "verbose_name": "执行记录",
                "verbose_name_plural": "执行记录",
                "ordering": ["on", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "deferral",
                                    "instalments",
                                    "enforcement_applied",
                                    "enforcement_concluded",
                                    "terminated",
                                ],
                            )
                        ),
                        name="execution_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "terminated"), _negated=True),
                            models.Q(("reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="execution_termination_has_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind__in", ["deferral", "instalments"]), _negated=True),
                            ("due_on__isnull", False),
                            _connector="OR",
                        ),
                        name="execution_arrangement_has_due",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("receipt_number", models.CharField(max_length=60, verbose_name="缴款书编号")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="缴款金额（元）"
                    ),
                ),
                ("paid_on", models.DateField(verbose_name="缴款日期")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="登记时间"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="cases.case",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
            ],
            options={
                "verbose_name": "罚款缴纳",
                "verbose_name_plural": "罚款缴纳",
                "ordering": ["paid_on", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="payment_amount_positive"
                    ),
                    models.UniqueConstraint(
                        fields=("case", "receipt_number"), name="payment_receipt_once"
                    ),
                ],
            },
        ),
    ]
