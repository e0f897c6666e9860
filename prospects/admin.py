"""Django admin: each domain registers its own models; importing them here is what loads them."""

from .crm import admin as crm_admin
from .identify import admin as identify_admin
from .visits import admin as visits_admin

__all__ = ["crm_admin", "identify_admin", "visits_admin"]
