"""``manage.py seed_demo``: load the demo city (see :mod:`portal.demo`)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from tqdm import tqdm

from portal import demo


class Command(BaseCommand):
    help = (
        "Membangun data demo Pemerintah Kota Harapan Jaya (kode PEMKOT, WIB): unit kerja, pegawai "
        "dengan NIP/NI PPPK sah, atasan langsung, Plh aktif, admin BKPSDM dan superuser. Akun utama: "
        + ", ".join(demo.MAIN_LOGINS) + f". Kata sandi bawaan: {demo.DEFAULT_PASSWORD}. "
        "Menolak berjalan bila PEMKOT sudah ada, kecuali dengan --reset. --reset menghapus data demo "
        "lebih dulu, tetapi hanya bila belum ada jejak audit yang merujuk unit atau akun demo (jejak "
        "audit tidak dapat dihapus); bila sudah ada, gunakan basis data baru."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=demo.DEFAULT_EMPLOYEES,
                            help="Jumlah pegawai (bawaan 200; ~1 unit tambahan per 50 pegawai).")
        parser.add_argument("--password", default=demo.DEFAULT_PASSWORD,
                            help="Kata sandi semua akun demo.")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED,
                            help="Benih acak; benih yang sama menghasilkan data yang sama.")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Cetak daftar akun demo sebagai JSON ke stdout (hanya JSON).")
        parser.add_argument("--reset", action="store_true",
                            help="Hapus data demo yang ada lalu bangun ulang (lihat keterangan di atas).")

    def handle(self, *args, employees, password, seed, as_json, reset, verbosity, **options):
        # Later apps plug in their own stages: scheduling/demo.py calls
        # portal.demo.register_step(...) on import (portal itself never imports them).
        autodiscover_modules("demo")
        def make_bar(total: int) -> tqdm:
            # The real stderr: Django's OutputWrapper would add a newline per refresh.
            return tqdm(total=total, unit=" baris", file=sys.stderr, disable=verbosity == 0,
                        desc="seed_demo", mininterval=0.5)

        try:
            ctx = demo.seed_demo(employees=employees, password=password, seed=seed, make_bar=make_bar, reset=reset)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from None
        except (ProtectedError, RestrictedError) as exc:
            raise CommandError(
                _("Reset gagal: data lain masih merujuk data demo (%(why)s). Gunakan basis data baru.")
                % {"why": exc.args[0]}
            ) from None
        if as_json:
            self.stdout.write(json.dumps(demo.accounts(ctx), ensure_ascii=False, indent=1))
        elif verbosity:
            self._print_summary(ctx, password)

    def _print_summary(self, ctx: demo.SeedContext, password: str) -> None:
        s = ctx.summary
        self.stdout.write(self.style.SUCCESS(
            _("Data demo dibuat: %(employees)d pegawai (%(pppk)d PPPK) di %(units)d unit.") % s
        ))
        self.stdout.write(
            _("Akun utama (kata sandi %(password)s): %(logins)s")
            % {"password": password, "logins": ", ".join(demo.MAIN_LOGINS)}
        )
