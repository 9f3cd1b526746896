"""Business missions: the B2B meeting scheduler and, later, site visits, agendas and outcomes."""
