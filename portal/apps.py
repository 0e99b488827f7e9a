from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Tables the rules are read from; a write to one changes the rule facts' version (portal.facts).
RULE_TABLES = ["Unit", "CalendarOverride", "WorkPattern", "WorkPatternDay", "RamadanPeriod"]


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Organisasi dan pegawai")

    def ready(self):
        from django.db.models.signals import post_migrate

        from portal import facts
        from portal import navigation as nav

        facts.register_rule_tables("portal", RULE_TABLES)
        post_migrate.connect(facts.ensure_triggers, sender=self, dispatch_uid="portal-rule-facts-triggers")
        from portal.selectors import ROLE_HR_ADMIN, ROLE_SUPERUSER

        hr = (ROLE_HR_ADMIN, ROLE_SUPERUSER)
        nav.register(
            nav.entry(nav.ME, 90, _("Notifikasi"), "notifications:list", nav.EVERYONE),
            nav.entry(nav.HR, 10, _("Impor pegawai"), "hr-import", *hr,
                      description=_("Unggah data pegawai dan unit dari berkas Excel atau CSV.")),
            nav.entry(nav.HR, 12, _("Cek data atasan"), "hr-supervisor-check", *hr,
                      description=_("Temukan pegawai tanpa atasan atau dengan atasan yang tidak aktif.")),
            nav.entry(nav.HR, 45, _("Jam kerja & Ramadan"), "hr-work-patterns", *hr, also=["hr-ramadan"],
                      description=_("Pola hari kerja per unit, jam fleksibel, dan jam kerja Ramadan, berlaku mulai "
                                    "tanggal tertentu.")),
            nav.entry(nav.HR, 60, _("Jejak audit"), "hr-audit", *hr,
                      description=_("Lihat siapa mengubah apa, kapan, dan atas nama siapa.")),
            nav.entry(nav.HR, 80, _("Dokumentasi API"), "api-docs", *hr,
                      description=_("Antarmuka untuk aplikasi lain dan perangkat presensi.")),
            # The admin only for what no HR page covers yet (the pages audit and check more).
            nav.entry(nav.HR, 90, _("Data induk (admin)"), "admin:index", nav.EVERYONE, staff_only=True,
                      description=_("Unit kerja, data pegawai satu per satu, Plh/Plt, dan hari libur instansi: "
                                    "yang belum punya halaman sendiri di portal.")),
        )
