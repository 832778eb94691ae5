from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sanxiang.records"
    label = "records"
    verbose_name = "音像与证据"
