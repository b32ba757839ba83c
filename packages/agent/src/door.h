/*
 * The daemon's door: a Unix socket the daemon listens on in a host directory bind-mounted
 * read-only into the sandbox. Talking over it instead of the exec's stdin/stdout takes the engine
 * (its shim's and daemon's copies of every byte) off the path of the agent's frames.
 */
#ifndef POCKETDOCK_DOOR_H
#define POCKETDOCK_DOOR_H

/*
 * Connects to the socket at `path`, says `token` (the daemon's way to know the connection is this
 * launch's agent), and puts the connection in place of stdin and stdout. -1 when it cannot: the
 * agent then talks over the exec's stdin and stdout, as without a door.
 */
int door_open(const char *path, const char *token);

#endif
