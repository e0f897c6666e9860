"""Which arm a company falls in: a seeded hash, the same in every process and on every run."""

import hashlib

# 2**64: the hash read as a number in [0, 1).
_SPAN = float(1 << 64)


def hash_unit(*, seed: int, company_id: int) -> float:
    """A uniform number in [0, 1) fixed by the experiment's seed and the company."""
    digest = hashlib.blake2b(f"{seed}:{company_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SPAN


def arm_for(*, seed: int, company_id: int, share) -> str:
    """ "control" for the held-out share of companies, "treatment" for the rest."""
    return "control" if hash_unit(seed=seed, company_id=company_id) < float(share) else "treatment"
