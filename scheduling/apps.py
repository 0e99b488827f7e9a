from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Tables the rules are read from; a write to one changes the rule facts' version (portal.facts).
RULE_TABLES = ["CoveragePolicy", "EssentialPosition", "Emergency", "FwaWindow", "KindRule"]
RULE_TABLES_THROUGH = [("Emergency", "units"), ("FwaWindow", "units")]


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = _("Rencana kerja dan persetujuan")

    def ready(self):
        from portal import banners, facts
        from portal import navigation as nav
        from portal.selectors import ROLE_EMPLOYEE, ROLE_HR_ADMIN, ROLE_SUPERUSER, ROLE_SUPERVISOR
        from scheduling.selectors import home
        from scheduling.selectors.emergency import emergency_banners

        facts.register_rule_tables("scheduling", RULE_TABLES, through=RULE_TABLES_THROUGH)
        deciders = (ROLE_SUPERVISOR, ROLE_SUPERUSER)
        hr = (ROLE_HR_ADMIN, ROLE_SUPERUSER)
        nav.register(
            nav.entry(nav.ME, 20, _("Rencana kerja saya"), "scheduling:my-calendar", ROLE_EMPLOYEE,
                      description=_("Ajukan hari WFH/WFA, cuti atau izin dan lihat keputusannya.")),
            nav.entry(nav.ME, 30, _("Pengajuan saya"), "scheduling:my-requests", ROLE_EMPLOYEE),
            nav.entry(nav.ME, 35, _("Cuti saya"), "scheduling:my-leave", ROLE_EMPLOYEE,
                      description=_("Sisa cuti tahunan per tahun dan penyesuaian dari admin kepegawaian.")),
            nav.entry(nav.ME, 40, _("Kalender di ponsel"), "scheduling:calendar-feeds", ROLE_EMPLOYEE,
                      description=_("Rencana kerja Anda (dan kehadiran tim) di kalender ponsel.")),
            nav.entry(nav.TEAM, 10, _("Persetujuan pengajuan"), "scheduling:inbox", *deciders,
                      description=_("Setujui atau tolak pengajuan bawahan dengan melihat kehadiran unit.")),
            nav.entry(nav.TEAM, 20, _("Kalender tim"), "scheduling:team", ROLE_SUPERVISOR, *hr,
                      description=_("Siapa di kantor dan siapa tidak, per hari kerja.")),
            nav.entry(nav.HR, 20, _("Cuti pegawai"), "scheduling:leave-settings", *hr,
                      also=["scheduling:leave-balances", "scheduling:leave-import"],
                      description=_("Pejabat yang memberikan cuti, rantai keputusan dan dokumen per jenis, saldo "
                                    "cuti tahunan pegawai.")),
            nav.entry(nav.HR, 40, _("Kebijakan WFH/WFA"), "scheduling:policies", *hr, also=["scheduling:fwa"],
                      description=_("Batas kehadiran minimal di kantor dan hari fleksibel per unit, jendela FWA "
                                    "instansi.")),
        )
        nav.register(nav.entry(nav.HR, 45, _("Keadaan darurat"), "scheduling:emergencies", *hr,
                               description=_("Tetapkan aturan kerja sementara untuk unit yang terdampak banjir, "
                                             "kabut asap, wabah atau acara nasional, dan akhiri lebih awal.")))
        banners.register_banner("scheduling-emergency", emergency_banners)
        nav.register(
            nav.entry(nav.ME, 38, _("Preferensi hari fleksibel"), "scheduling:rota-preferences", ROLE_EMPLOYEE,
                      description=_("Hari yang Anda inginkan untuk WFH/WFA dan hari yang tidak memungkinkan.")),
            nav.entry(nav.TEAM, 25, _("Rota unit"), "scheduling:rota", ROLE_SUPERVISOR, *hr,
                      also=["scheduling:rota-plan"],
                      description=_("Usulan rota bulanan yang adil, sesuai aturan kehadiran unit; ubah lalu "
                                    "terbitkan.")),
        )
        nav.register_panel(nav.PLAN, 10, "scheduling-plan", "scheduling/home/plan.html", home.plan_panel,
                           ROLE_EMPLOYEE)
        nav.register_panel(nav.DECISIONS, 10, "scheduling-decisions", "scheduling/home/decisions.html",
                           home.decisions_panel, *deciders)
