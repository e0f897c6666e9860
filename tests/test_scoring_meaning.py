"""A score's sentence: the chance of the vendor's conversion within the horizon, in whole percent."""

import pytest

from scoring.meaning import chance_text, percent_text


def test_chance_text_names_the_goal_and_the_horizon():
    assert chance_text(0.31) == "31% chance of a trial or contact request within 30 days"


def test_settings_change_the_goal_words_and_the_days(settings):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 14
    settings.LEADGEN_CONVERSION_WORDS = "a demo booking"
    assert chance_text(0.5) == "50% chance of a demo booking within 14 days"
    settings.LEADGEN_SCORE_HORIZON_DAYS = 1
    assert chance_text(0.5).endswith("within 1 day")


@pytest.mark.parametrize(
    ("probability", "text"),
    [(0.305, "31%"), (0.004, "under 1%"), (0.0, "under 1%"), (0.995, "over 99%"), (0.05, "5%")],
)
def test_percent_rounds_half_up_and_never_says_zero_or_certain(probability, text):
    assert percent_text(probability) == text


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_a_value_outside_zero_to_one_is_refused(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        chance_text(bad)
