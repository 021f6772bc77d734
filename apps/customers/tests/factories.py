import factory

from apps.customers.models import Address, Customer
from apps.stores.tests.factories import StoreFactory


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    user = None
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    postal_code = "75001"
    country = "FR"
