/* Shared by the relay's two halves (user_manager_listen.c in the helper,
 * user_manager.c in nsiso-init). */
#ifndef NSISO_USER_MANAGER_H
#define NSISO_USER_MANAGER_H

#define RELAY_NAME "user-manager"
/* Connections relayed at once; more are closed (systemctl makes one). */
#define MAX_RELAYS 32

#endif
