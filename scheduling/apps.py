from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = _("Rencana kerja dan persetujuan")

    def ready(self):
        from portal import navigation as nav
        from portal.selectors import ROLE_EMPLOYEE, ROLE_HR_ADMIN, ROLE_SUPERUSER, ROLE_SUPERVISOR

        nav.register(
            nav.entry(nav.ME, 20, _("Rencana kerja saya"), "scheduling:my-calendar", ROLE_EMPLOYEE,
                      description=_("Ajukan hari WFH/WFA dan lihat keputusannya.")),
            nav.entry(nav.ME, 30, _("Pengajuan saya"), "scheduling:my-requests", ROLE_EMPLOYEE),
            nav.entry(nav.ME, 35, _("Cuti saya"), "scheduling:my-leave", ROLE_EMPLOYEE),
            nav.entry(nav.TEAM, 10, _("Persetujuan tim"), "scheduling:inbox", ROLE_SUPERVISOR, ROLE_SUPERUSER,
                      description=_("Setujui atau tolak pengajuan bawahan dengan melihat kehadiran unit.")),
            nav.entry(nav.TEAM, 20, _("Kalender tim"), "scheduling:team", ROLE_SUPERVISOR, ROLE_SUPERUSER,
                      description=_("Siapa di kantor dan siapa tidak, per hari kerja.")),
            nav.entry(nav.HR, 10, _("Aturan kehadiran"), "scheduling:policies", ROLE_HR_ADMIN, ROLE_SUPERUSER,
                      description=_("Batas kehadiran minimal dan hari fleksibel per unit.")),
            nav.entry(nav.HR, 20, _("Jendela FWA"), "scheduling:fwa", ROLE_HR_ADMIN, ROLE_SUPERUSER),
            nav.entry(nav.HR, 22, _("Pengaturan cuti"), "scheduling:leave-settings", ROLE_HR_ADMIN, ROLE_SUPERUSER,
                      description=_("Pejabat yang berwenang memberikan cuti, rantai keputusan dan dokumen per "
                                    "jenis.")),
            nav.entry(nav.HR, 24, _("Saldo cuti pegawai"), "scheduling:leave-balances", ROLE_HR_ADMIN,
                      ROLE_SUPERUSER),
        )
