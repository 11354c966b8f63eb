import os
password = os.environ["DB_PASSWORD"]
token = get_token()
print("password:", "")
