"""Code that runs inside the Rasa server process: the NLU components, the escalation policy and the
desk's input channel. Nothing here is imported by the desk or the action server at run time."""
