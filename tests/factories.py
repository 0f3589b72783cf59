"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from contacts.models import Channel, Conversation, Customer, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"manager{n}@example.com")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("pw-for-tests")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    slug = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.Sequence(lambda n: f"Channel {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    channel = factory.SubFactory(ChannelFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MANAGER


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    channel = factory.SubFactory(ChannelFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    email_verified = True
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = factory.SelfAttribute("customer.channel")
    customer = factory.SubFactory(CustomerFactory)
    subject = "Question about an order"
