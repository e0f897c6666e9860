"""`manage.py mask_ips`: cut resolved visitors' addresses to their kept prefix, in batches."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from prospects.privacy.masking import mask_resolved


class Command(BaseCommand):
    help = (
        "Mask the IP addresses of visitors resolved at least LEADGEN_IP_MASK_DELAY_HOURS ago "
        "(keeping LEADGEN_IP_MASK_IPV4_BITS / _IPV6_BITS bits), and those in old malformed-line "
        "samples. Does nothing unless LEADGEN_IP_MASKING is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args, **options):
        result = mask_resolved()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        elif not settings.LEADGEN_IP_MASKING:
            self.stdout.write("IP masking is off (LEADGEN_IP_MASKING): nothing masked.")
        else:
            self.stdout.write(
                f"Masked {result.visitors} visitors' addresses, dropped {result.resolutions} IP "
                f"resolutions and masked {result.samples} malformed-line samples."
            )
