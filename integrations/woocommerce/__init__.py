"""WooCommerce: the wc-auth key flow, webhook verification and healing, REST client, adapter."""
