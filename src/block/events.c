/*
 * events.c - the block layer's event queue (see events.h).
 */
#include "block/events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct ev {
	char name[48];
	json_t *data;
	struct ev *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ev *head, *tail;
static int efd = -1;

int blk_events_fd(void)
{
	pthread_mutex_lock(&lock);
	if (efd < 0)
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_unlock(&lock);
	return efd;
}

void blk_event_post(const char *name, json_t *data)
{
	struct ev *e = calloc(1, sizeof(*e));
	uint64_t one = 1;

	if (!e) {
		json_decref(data);
		return;
	}
	strncpy(e->name, name, sizeof(e->name) - 1);
	e->data = data;
	pthread_mutex_lock(&lock);
	if (tail)
		tail->next = e;
	else
		head = e;
	tail = e;
	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0) {
		/* the counter is far from overflow; EAGAIN cannot lose the wakeup */
	}
	pthread_mutex_unlock(&lock);
}

void blk_events_drain(void (*emit)(void *opaque, const char *name, json_t *data),
		      void *opaque)
{
	struct ev *list;
	uint64_t v;

	pthread_mutex_lock(&lock);
	list = head;
	head = tail = NULL;
	if (efd >= 0 && read(efd, &v, sizeof(v)) < 0) {
		/* nothing signalled */
	}
	pthread_mutex_unlock(&lock);
	while (list) {
		struct ev *e = list;

		list = e->next;
		emit(opaque, e->name, e->data);
		free(e);
	}
}
