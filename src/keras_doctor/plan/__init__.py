"""Turn findings into an ordered, resolved plan of fixes, before anything is changed."""
