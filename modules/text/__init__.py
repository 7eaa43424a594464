"""Label normalisation and charsets."""
