"""Shared model helpers."""

import pytest

from apps.core.models import OutboxMessage, max_length_of


def test_an_input_reads_its_bound_from_the_model_field():
    assert max_length_of(OutboxMessage, "kind") == 100


def test_a_field_without_a_length_has_no_bound_to_give():
    with pytest.raises(TypeError, match=r"OutboxMessage\.created_at has no max_length"):
        max_length_of(OutboxMessage, "created_at")
