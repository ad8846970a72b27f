/* SPDX-License-Identifier: MIT */
#pragma once

/* Doubly linked lists threaded through their items: an item has
 * `struct x *prev, *next;`, a list is a pointer to its first item (NULL:
 * empty). Adding and removing take constant time and allocate nothing,
 * for lists whose items come and go in any order (transfers, watched
 * sockets, connections). Written once here, as systemd's list.h is, rather
 * than as pointer surgery by hand beside every list. */

/* item becomes the first of the list at head. */
#define LIST_PREPEND(head, item) \
        do { \
                __typeof__(item) _li = (item); \
\
                _li->prev = NULL; \
                _li->next = (head); \
                if (_li->next) \
                        _li->next->prev = _li; \
                (head) = _li; \
        } while (0)

/* item, which is in the list at head, leaves it. */
#define LIST_REMOVE(head, item) \
        do { \
                __typeof__(item) _li = (item); \
\
                if (_li->prev) \
                        _li->prev->next = _li->next; \
                else \
                        (head) = _li->next; \
                if (_li->next) \
                        _li->next->prev = _li->prev; \
                _li->prev = _li->next = NULL; \
        } while (0)
