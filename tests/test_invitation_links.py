"""Which address invitation links carry: the configured public address, else the browser's."""

from __future__ import annotations

import pytest

from survey.services.invitations import check_public_url, explicit_setting, link_for


def test_an_explicit_public_url_wins_over_the_browser_address():
    link = link_for(
        "tok", public_url="https://survey.example.org", browser_url="http://10.1.2.3:8501/x"
    )
    assert link == "https://survey.example.org/?t=tok"


def test_the_public_url_keeps_its_path_and_the_browser_url_does_not():
    assert (
        link_for("tok", public_url="https://example.org/cocreate/", browser_url=None)
        == "https://example.org/cocreate/?t=tok"
    )
    assert (
        link_for("tok", public_url=None, browser_url="https://example.org/consultant?x=1")
        == "https://example.org/?t=tok"
    )


def test_without_either_address_links_use_the_local_default():
    assert link_for("a/b", public_url=None, browser_url=None) == "http://127.0.0.1:8501/?t=a%2Fb"


def test_a_public_url_that_is_not_absolute_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"COCREATE_PUBLIC_URL 'survey\.example\.org'.*https://"):
        check_public_url("survey.example.org")
    with pytest.raises(ValueError, match="token is empty"):
        link_for("", public_url="https://example.org", browser_url=None)


def test_only_an_explicitly_set_variable_counts(monkeypatch):
    monkeypatch.delenv("COCREATE_PUBLIC_URL", raising=False)
    assert explicit_setting("public_url") is None  # the default is not a choice
    monkeypatch.setenv("COCREATE_PUBLIC_URL", "  ")
    assert explicit_setting("public_url") is None  # empty counts as unset, as in settings.get
    monkeypatch.setenv("COCREATE_PUBLIC_URL", "https://survey.example.org/")
    assert explicit_setting("public_url") == "https://survey.example.org/"
    with pytest.raises(ValueError, match="no setting 'nothing'"):
        explicit_setting("nothing")
