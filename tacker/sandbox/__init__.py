"""tacker-sandbox: the all-in-one demo of the TackerDB synchronization.

``stack`` starts and stops the pieces (simulator, database, tacker-server,
tacker-conductor) in one process on embedded defaults, ``api_client``
talks to tacker-server over HTTP as any client would, ``demo`` runs the
numbered steps and checks what they show, and ``render`` turns API
answers into the tables and lines the operator reads.
"""
