"""People and keys of the exchange tests, built once per class."""

from __future__ import annotations

from sanxiang.exchange import services
from sanxiang.exchange.models import ApiClient, Scope
from sanxiang.testing import World, WorldTestCase


def new_key(
    world: World, *, scopes: list[str] | None = None, agencies: list[int] | None = None
) -> tuple[ApiClient, str]:
    made = services.create_client(
        actor=world.admin,
        data=services.ClientData(
            name="省级行政执法信息平台",
            system="provincial",
            scopes=scopes or list(Scope.values),
            agency_ids=agencies or [world.agency.pk],
        ),
    )
    return made.client, made.secret


class ExchangeTestCase(WorldTestCase):
    key: ApiClient
    secret: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.key, cls.secret = new_key(cls.w)
