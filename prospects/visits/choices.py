"""Enumerations shared by the prospects models, the ingest pipeline and the pages."""

from django.db import models


class Category(models.TextChoices):
    HOME = "home", "Home"
    BLOG = "blog", "Blog"
    PRODUCT = "product", "Product"
    PRICING = "pricing", "Pricing"
    COMPANY = "company", "Company"
    PRESS = "press", "Press"
    JOBS = "jobs", "Jobs"
    PREMIUM = "premium", "Premium content"
    DOCS = "docs", "Docs"
    CONTACT = "contact", "Contact / trial"
    OTHER = "other", "Other"


class FunnelStage(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    EDUCATION = "education", "Education"
    INTEREST = "interest", "Interest"
    DIFFERENTIATION = "differentiation", "Differentiation"


# Funnel stages in order, for "deepest stage reached".
FUNNEL_ORDER = [s.value for s in FunnelStage]


class SourceType(models.TextChoices):
    DIRECT = "direct", "Direct"
    SEARCH = "search", "Search"
    SOCIAL = "social", "Social"
    CAMPAIGN = "campaign", "Email / campaign"
    PARTNER = "partner", "Partner / other site"
    INTERNAL = "internal", "Internal"


class MatchType(models.TextChoices):
    PREFIX = "prefix", "Path starts with"
    EXACT = "exact", "Path equals"
    CONTAINS = "contains", "Path contains"
    REGEX = "regex", "Regular expression"
