"""The partial results the Results page asks for (one instrument in full, or the overview
without the cohort) equal the corresponding parts of the full results."""

from __future__ import annotations

import pandas as pd

from survey.services.results import firm_results
from survey.storage import open_store
from survey.storage.demo import generate_demo


def test_one_section_or_the_overview_equal_the_full_results(store_url):
    # The shipped instruments: their practices name the capabilities that support them.
    store = open_store(store_url)
    generate_demo(store, 8, seed=31)
    org = store.create_organisation("Weak Links", industry="x", size_band="1-49", region="r")
    refs = [instrument.key for instrument in store.registry.latest()]
    campaign = store.create_campaign(org.id, "now", instruments=refs)
    for value in (1, 2):  # low answers everywhere: weak practices name their capabilities
        _invitation, token = store.create_invitation(campaign.id, role="sales")
        for ref in refs:
            items = store.instrument(ref).items
            store.save_draft(token, ref, {item.id: value for item in items})
        store.submit(token)

    full = firm_results(store, org.id, min_cohort=3)
    assert any(s.cartwheel["supporting_index"].notna().any() for s in full.sections)
    for section in full.sections:
        key = section.instrument.key
        one = firm_results(store, org.id, min_cohort=3, only=(key,))
        assert [s.instrument.key for s in one.sections] == [key]
        got = one.sections[0]
        pd.testing.assert_frame_equal(got.scales, section.scales)
        pd.testing.assert_frame_equal(got.cartwheel, section.cartwheel)  # supports still scored
        pd.testing.assert_frame_equal(got.benchmark, section.benchmark)
    overview = firm_results(store, org.id, min_cohort=3, compare=False)
    assert [s.overall_index for s in overview.sections] == [s.overall_index for s in full.sections]
    assert all(s.benchmark is None and s.change is None for s in overview.sections)
    store.close()
