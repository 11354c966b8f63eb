API_KEY = "sk_live_abcdefghijklmnop12345678"
