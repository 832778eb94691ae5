from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Spreadsheet imports shared by the lists (事项清单, 执法人员, 裁量基准, 目录清单,
    音像记录事项清单, 工作日历): the all-or-nothing run and the page that lists every bad cell."""

    name = "sanxiang.imports"
    verbose_name = "表格导入"
