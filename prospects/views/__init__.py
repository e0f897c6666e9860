"""The workspace pages, one module per area: queue, company, my work, admin pages."""
