"""The expert's workspace (`/workspace`): "my offers" to accept or decline, "my cases" with what falls
due next, and "my record". `service` reads it within casework's reach; answers go through
`casework.offers.service`, which moves the case with `casework.moving.transition_case`.
"""
