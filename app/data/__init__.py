"""The site owner's data, in and out: export, deletion on request, and the scope both act on."""
