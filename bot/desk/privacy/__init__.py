"""The AVG in the desk: find a customer's conversations, export them, erase them everywhere (desk and
Rasa's tracker store), erase what is older than the retention period, and keep what is on legal hold."""
