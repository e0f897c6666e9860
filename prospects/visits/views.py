"""Admin pages about imported traffic: the log imports and what they found."""

from django.shortcuts import render

from prospects.roles import ADMIN, role_required
from prospects.visits import selectors
from prospects.visits.ingest import runs


def _sample_text(sample) -> str:
    """A malformed-line sample as plain text, whatever shape the importer stored."""
    if isinstance(sample, dict):
        return " · ".join(f"{key}: {value}" for key, value in sample.items())
    return str(sample)


@role_required(ADMIN)
def imports(request):
    """Recent log imports with their counts and samples of malformed lines."""
    # A run whose process died shows as interrupted, not running forever.
    runs.mark_interrupted()
    rows = list(selectors.recent_imports())
    for row in rows:
        row.sample_texts = [_sample_text(s) for s in row.malformed_samples[:5]]
    return render(request, "prospects/imports.html", {"imports": rows})
