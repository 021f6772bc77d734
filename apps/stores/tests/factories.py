import factory

from apps.stores.models import Membership, Store
from apps.users.tests.factories import UserFactory


class StoreFactory(factory.django.DjangoModelFactory[Store]):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    currency = "EUR"
    timezone = "Europe/Paris"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.STAFF
