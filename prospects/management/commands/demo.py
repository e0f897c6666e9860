"""Run every pipeline stage on generated demo data, so `make demo` ends on a working site."""

import datetime as dt
import json
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from prospects import pipeline
from prospects.crm.services import set_relationships
from prospects.demo.holdout import record_demo_experiment
from prospects.demo.logs import write_demo_data
from prospects.demo.sales_replay import record_demo_sales
from prospects.demo.zone_server import ZoneServer
from prospects.models import Company
from scoring.training import NotEnoughData

DEMO_DIR = settings.BASE_DIR / "var" / "demo"


class Command(BaseCommand):
    help = (
        "Generate the demo log and DNS zone, import the log, resolve visitor IPs against a local "
        "DNS server serving the zone, record the generator's outreach holdout, train and "
        "calibrate the model, score everyone and create one user per role. Safe to run again: "
        "every stage is idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--visitors", type=int, default=20000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--dir", type=Path, default=DEMO_DIR)

    def stage(self, title: str) -> float:
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n== {title}"))
        return time.perf_counter()

    def done(self, started: float, text: str) -> None:
        self.stdout.write(f"   {text}  ({time.perf_counter() - started:.1f} s)")

    def handle(self, *args, **opts):
        folder: Path = opts["dir"]
        log, zone, truth = folder / "access.log", folder / "zone.json", folder / "truth.csv"
        params = {k: opts[k] for k in ("visitors", "days", "seed")}
        stamp = folder / "params.json"
        started = self.stage("1/7 demo data")
        if not log.exists() or not stamp.exists() or json.loads(stamp.read_text()) != params:
            params["end"] = dt.datetime.now(dt.UTC).date().isoformat()
            out = write_demo_data(
                out=log,
                zone=zone,
                truth=truth,
                experiment=folder / "experiment.json",
                sales=folder / "sales.json",
                end=dt.date.fromisoformat(params.pop("end")),
                **params,
            )
            stamp.write_text(json.dumps(params))
            self.done(started, f"wrote {out.lines:,} log lines from {out.visitors:,} visitors")
        else:
            self.done(started, f"reusing {log}")

        # The users come first: the generator's holdout is recorded by its admin and rep.
        self.stage("2/7 demo users")
        call_command("create_demo_users", stdout=self.stdout)
        with ZoneServer.from_file(zone) as server:
            self._run_pipeline(log, zone, server.nameserver, folder)
        self.stdout.write(
            self.style.SUCCESS("\nOpen http://127.0.0.1:8000/ and log in with a user above.")
        )

    def _run_pipeline(self, log: Path, zone: Path, nameserver: str, folder: Path) -> None:
        """The pipeline's stages in their order, reporting each; after identify, customers are
        flagged and the holdout recorded (before scoring records the queue's entries)."""
        started = self.stage("3/7 ingest")
        for stage, result in pipeline.run([str(log)], nameservers=[nameserver], train=True):
            if stage == "ingest":
                self.done(
                    started,
                    f"{result.lines:,} lines: {result.pageviews:,} page views, "
                    f"{result.bots:,} bot hits, {result.static:,} assets, "
                    f"{result.malformed} malformed, {result.duplicates:,} duplicates skipped",
                )
                started = self.stage("4/7 identify companies (reverse DNS against the demo zone)")
            elif stage == "identify":
                self._mark_relationships(zone)
                self.done(
                    started,
                    f"{result.resolved:,} IPs: {result.business:,} business, {result.isp:,} ISP, "
                    f"{result.hosting:,} hosting, {result.education:,} education, "
                    f"{result.unknown:,} unknown; {Company.objects.count():,} companies",
                )
                self._record_experiment(folder / "experiment.json")
                self._record_sales(folder / "sales.json")
                started = self.stage("6/7 train and calibrate the conversion model")
            elif stage == "train" and isinstance(result, NotEnoughData):
                self.stdout.write(self.style.WARNING(f"   not trained: {result}"))
            elif stage == "train":
                self.done(
                    started,
                    f"{result.algorithm}: ROC AUC {result.roc_auc:.3f}, PR AUC {result.pr_auc:.3f}",
                )
                started = self.stage("7/7 score visitors and companies")
            elif stage == "score":
                self.done(started, f"{result.visitors:,} visitors, {result.companies:,} companies")
            elif stage == "forecast":
                for fit in result.values():
                    auc = fit.backtest.get("roc_auc")
                    figures = f"backtest ROC AUC {auc:.3f}" if auc is not None else "no model"
                    self.stdout.write(
                        f"   lead → {fit.stage}: {fit.reached} of {fit.leads} closed leads, "
                        + figures
                    )
            elif stage == "segment" and result is not None:
                self.stdout.write(
                    f"   {result.k} behaviour segments over {result.visitors:,} visitors "
                    f"({result.seconds:.1f} s)"
                )
            elif stage == "attribute":
                self.stdout.write(
                    f"   attribution of {result.conversions:,} conversions under seven models "
                    f"({result.seconds:.1f} s)"
                )

    def _mark_relationships(self, zone: Path) -> None:
        """Flag the demo's customers and competitors, as the vendor's team would on day one."""
        relationships = json.loads(zone.read_text()).get("relationships", {})
        set_relationships(domains=relationships)

    def _record_sales(self, path: Path) -> None:
        """Record the generator's SQLs, opportunities and customers as the rep's touchpoints."""
        if not path.exists():
            self.stdout.write(f"   no {path.name} (data generated before the sales): skipped")
            return
        rep = get_user_model().objects.get(username="rep")
        counts = record_demo_sales(path, rep=rep)
        self.stdout.write(
            f"   sales: {counts['sql']:,} SQLs, {counts['opportunity']:,} opportunities, "
            f"{counts['customer']:,} customers recorded"
        )

    def _record_experiment(self, path: Path) -> None:
        """Record the generator's holdout and the rep's touchpoints in the app."""
        started = self.stage("5/7 record the generator's outreach holdout")
        if not path.exists():
            self.done(started, f"no {path.name} (data generated before the holdout): skipped")
            return
        users = get_user_model().objects.in_bulk(["admin", "rep"], field_name="username")
        recorded = record_demo_experiment(path, admin=users["admin"], rep=users["rep"])
        if recorded is None:
            self.done(started, "already recorded, or it has no accounts")
            return
        self.done(
            started,
            f"“{recorded.experiment.name}”: {recorded.companies:,} of {recorded.accounts:,} "
            f"accounts identified as companies, {recorded.touchpoints:,} touchpoints logged",
        )
