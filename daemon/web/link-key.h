/* SPDX-License-Identifier: MIT */
#pragma once

/* The key that signs the links of reminders (http/link.h): 32 random bytes
 * in <state_directory>/link.key, mode 0600, made at the first start. A new
 * key (a rotation) makes every link sent so far worthless: the way to
 * withdraw links that went where they should not. */

#include <stdint.h>

#include "http/link.h"

/* Reads the key, or makes it when there is none. 0, or -errno with the
 * reason logged (a key that is not 32 bytes is refused, not replaced). */
int link_key_load(const char *state_directory, uint8_t key[LINK_KEY_SIZE]);
/* A new key, written atomically. 0, or -errno with the reason logged (the
 * old key stays). */
int link_key_rotate(const char *state_directory, uint8_t key[LINK_KEY_SIZE]);
