"""Default content rules, conversion goals, the three roles and the starting threshold."""

from django.db import migrations

# (position, match_type, pattern, category, funnel stage); first match wins.
CONTENT_RULES = [
    (10, "exact", "/", "home", "awareness"),
    (20, "prefix", "/trial", "contact", "differentiation"),
    (21, "prefix", "/contact", "contact", "differentiation"),
    (22, "prefix", "/demo", "contact", "differentiation"),
    (23, "prefix", "/signup", "contact", "differentiation"),
    (30, "prefix", "/pricing", "pricing", "differentiation"),
    (31, "prefix", "/plans", "pricing", "differentiation"),
    (32, "prefix", "/compare", "product", "differentiation"),
    (33, "prefix", "/case-studies", "company", "differentiation"),
    (34, "prefix", "/customers", "company", "differentiation"),
    (40, "regex", r"\.(pdf|epub)$", "premium", "education"),
    (41, "prefix", "/resources", "premium", "education"),
    (42, "prefix", "/whitepapers", "premium", "education"),
    (43, "prefix", "/ebooks", "premium", "education"),
    (44, "prefix", "/webinars", "premium", "education"),
    (45, "prefix", "/downloads", "premium", "education"),
    (50, "prefix", "/blog", "blog", "education"),
    (60, "prefix", "/product", "product", "interest"),
    (61, "prefix", "/features", "product", "interest"),
    (62, "prefix", "/solutions", "product", "interest"),
    (63, "prefix", "/integrations", "product", "interest"),
    (64, "prefix", "/tour", "product", "interest"),
    (65, "prefix", "/screenshots", "product", "interest"),
    (70, "prefix", "/docs", "docs", "interest"),
    (71, "prefix", "/documentation", "docs", "interest"),
    (72, "prefix", "/help", "docs", "interest"),
    (73, "prefix", "/support", "docs", "interest"),
    (80, "prefix", "/about", "company", "interest"),
    (81, "prefix", "/company", "company", "interest"),
    (82, "prefix", "/team", "company", "interest"),
    (83, "prefix", "/partners", "company", "interest"),
    (90, "prefix", "/press", "press", "awareness"),
    (91, "prefix", "/news", "press", "awareness"),
    (100, "prefix", "/careers", "jobs", "awareness"),
    (101, "prefix", "/jobs", "jobs", "awareness"),
]

GOALS = [("Trial sign-up", "/trial/thanks"), ("Contact form", "/contact/thanks")]

ROLES = ["researcher", "outreach rep", "admin"]


def add_defaults(apps, schema_editor):
    ContentRule = apps.get_model("prospects", "ContentRule")
    ConversionGoal = apps.get_model("prospects", "ConversionGoal")
    ThresholdChange = apps.get_model("prospects", "ThresholdChange")
    Group = apps.get_model("auth", "Group")
    ContentRule.objects.bulk_create(
        ContentRule(position=pos, match_type=mt, pattern=pat, category=cat, funnel_stage=stage)
        for pos, mt, pat, cat, stage in CONTENT_RULES
    )
    ConversionGoal.objects.bulk_create(
        ConversionGoal(name=name, pattern=pattern, match_type="prefix") for name, pattern in GOALS
    )
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    ThresholdChange.objects.create(value="0.50")


def remove_defaults(apps, schema_editor):
    apps.get_model("prospects", "ContentRule").objects.all().delete()
    apps.get_model("prospects", "ConversionGoal").objects.all().delete()
    apps.get_model("prospects", "ThresholdChange").objects.all().delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
