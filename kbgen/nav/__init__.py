"""Navigation: the site's tree (folders as sections, Jekyll parents, folder notes) and folder pages."""
