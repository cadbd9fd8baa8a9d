"""USSD: the Soko menu for basic phones, served on a Lambda Function URL (Africa's Talking)."""
