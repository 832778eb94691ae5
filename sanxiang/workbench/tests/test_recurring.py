from django_tasks_db.models import DBTaskResult

from sanxiang.testing import WorldTestCase
from sanxiang.workbench import recurring


class RecurringTaskTests(WorldTestCase):
    def test_every_app_registers_its_periodic_work(self):
        names = {task.name for task, _ in recurring._registry.values()}
        assert {
            "integrate_pending",
            "make_checkpoint",
            "cleanup_uploads",
            "expire_publications",
            "remind_annual_report",
        } <= names

    def test_scheduling_twice_queues_each_task_once(self):
        first = recurring.schedule_all()
        assert recurring.schedule_all() == []
        assert DBTaskResult.objects.filter(status="READY").count() == len(first)

    def test_a_run_queues_its_next_run_after_the_interval_unless_one_waits(self):
        from sanxiang.records.tasks import cleanup_uploads

        cleanup_uploads.call()
        queued = DBTaskResult.objects.get(task_path=cleanup_uploads.module_path, status="READY")
        assert queued.run_after is not None
        cleanup_uploads.call()
        assert DBTaskResult.objects.filter(task_path=cleanup_uploads.module_path).count() == 1
