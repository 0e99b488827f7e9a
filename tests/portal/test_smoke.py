def test_it_builds_the_named_cast(ani, budi, plh, hr, outsider, hr_other, upt):
    assert ani.supervisor.username if False else ani.supervisor.name == "Kepala Bidang P2P"
    assert upt.effective_time_zone == "Asia/Makassar"
    assert ani.unit.effective_time_zone == "Asia/Jakarta"
    assert ani.unit.institution.code == "PEMKOT"
