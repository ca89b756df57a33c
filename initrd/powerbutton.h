/* powerbutton: the ACPI power button, read as an input device. */
#ifndef PADDOCK_INIT_POWERBUTTON_H
#define PADDOCK_INIT_POWERBUTTON_H

#include <stdbool.h>
#include <stddef.h>

/* Opens (non-blocking) up to max input devices named "Power Button" into
 * fds; returns how many. */
size_t power_buttons_open(int *fds, size_t max);
/* Reads fd's pending events: true when one was a press of KEY_POWER. */
bool power_button_pressed(int fd);

#endif
