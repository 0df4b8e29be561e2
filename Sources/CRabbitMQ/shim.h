// rabbitmq-c (Debian's librabbitmq-dev) for Sources/Events. The client's macros (method ids,
// property flags) and its variadic amqp_login do not import into Swift: these small static
// functions wrap what the publisher and the queue consumer call.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/// 0 when the RPC reply is normal; otherwise a short reason into `buf`.
static inline int dg_amqp_reply(amqp_rpc_reply_t r, char *buf, size_t len) {
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return 0;
    case AMQP_RESPONSE_NONE: snprintf(buf, len, "no reply (missing RPC reply type)"); return -1;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: snprintf(buf, len, "%s", amqp_error_string2(r.library_error)); return -1;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *m = (amqp_connection_close_t *)r.reply.decoded;
            snprintf(buf, len, "server closed the connection: %u %.*s", m->reply_code, (int)m->reply_text.len, (char *)m->reply_text.bytes);
        } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            amqp_channel_close_t *m = (amqp_channel_close_t *)r.reply.decoded;
            snprintf(buf, len, "server closed the channel: %u %.*s", m->reply_code, (int)m->reply_text.len, (char *)m->reply_text.bytes);
        } else {
            snprintf(buf, len, "server error, method 0x%08X", r.reply.id);
        }
        return -1;
    }
    snprintf(buf, len, "unknown reply");
    return -1;
}

/// Opens a TCP connection, logs in (PLAIN), opens channel 1. NULL with the reason in `buf`.
static inline amqp_connection_state_t dg_amqp_open(const char *host, int port, const char *vhost, const char *user,
                                                   const char *password, int timeout_ms, char *buf, size_t len) {
    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t *s = amqp_tcp_socket_new(c);
    if (!s) { snprintf(buf, len, "cannot create a socket"); amqp_destroy_connection(c); return NULL; }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    int status = amqp_socket_open_noblock(s, host, port, &tv);
    if (status != AMQP_STATUS_OK) { snprintf(buf, len, "cannot connect to %s:%d: %s", host, port, amqp_error_string2(status)); amqp_destroy_connection(c); return NULL; }
    amqp_set_rpc_timeout(c, &tv);
    if (dg_amqp_reply(amqp_login(c, vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, user, password), buf, len) != 0) { amqp_destroy_connection(c); return NULL; }
    amqp_channel_open(c, 1);
    if (dg_amqp_reply(amqp_get_rpc_reply(c), buf, len) != 0) { amqp_destroy_connection(c); return NULL; }
    return c;
}

static inline void dg_amqp_close(amqp_connection_state_t c) {
    amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(c, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c);
}

/// A durable exchange of `type` (topic, fanout …).
static inline int dg_amqp_exchange(amqp_connection_state_t c, const char *name, const char *type, char *buf, size_t len) {
    amqp_exchange_declare(c, 1, amqp_cstring_bytes(name), amqp_cstring_bytes(type), 0, 1, 0, 0, amqp_empty_table);
    return dg_amqp_reply(amqp_get_rpc_reply(c), buf, len);
}

/// A durable queue (dead-lettering into `dlx` when not NULL), bound to `exchange` with `key` when not NULL.
static inline int dg_amqp_queue(amqp_connection_state_t c, const char *name, const char *dlx, const char *exchange, const char *key,
                                char *buf, size_t len) {
    amqp_table_entry_t entry;
    amqp_table_t args = amqp_empty_table;
    if (dlx) {
        entry.key = amqp_cstring_bytes("x-dead-letter-exchange");
        entry.value.kind = AMQP_FIELD_KIND_UTF8;
        entry.value.value.bytes = amqp_cstring_bytes(dlx);
        args.num_entries = 1;
        args.entries = &entry;
    }
    amqp_queue_declare(c, 1, amqp_cstring_bytes(name), 0, 1, 0, 0, args);
    if (dg_amqp_reply(amqp_get_rpc_reply(c), buf, len) != 0) return -1;
    if (exchange && key) {
        amqp_queue_bind(c, 1, amqp_cstring_bytes(name), amqp_cstring_bytes(exchange), amqp_cstring_bytes(key), amqp_empty_table);
        return dg_amqp_reply(amqp_get_rpc_reply(c), buf, len);
    }
    return 0;
}

/// Publisher confirms on channel 1.
static inline int dg_amqp_confirms(amqp_connection_state_t c, char *buf, size_t len) {
    amqp_confirm_select(c, 1);
    return dg_amqp_reply(amqp_get_rpc_reply(c), buf, len);
}

/// A persistent message with message_id, JSON content type and a timestamp (seconds).
static inline int dg_amqp_publish(amqp_connection_state_t c, const char *exchange, const char *key, const char *message_id,
                                  const void *body, size_t body_len, uint64_t timestamp) {
    amqp_basic_properties_t p;
    memset(&p, 0, sizeof p);
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
    p.content_type = amqp_cstring_bytes("application/json");
    p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    p.message_id = amqp_cstring_bytes(message_id);
    p.timestamp = timestamp;
    amqp_bytes_t b = { body_len, (void *)body };
    return amqp_basic_publish(c, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes(key), 0, 0, &p, b);
}

/// Waits up to `timeout_ms` for one confirm: 1 ack, 2 nack (tag and multiple set), 0 timeout, -1 connection lost or closed.
static inline int dg_amqp_wait_confirm(amqp_connection_state_t c, int timeout_ms, uint64_t *tag, int *multiple) {
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    for (;;) {
        amqp_frame_t f;
        int status = amqp_simple_wait_frame_noblock(c, &f, &tv);
        if (status == AMQP_STATUS_TIMEOUT) return 0;
        if (status != AMQP_STATUS_OK) return -1;
        if (f.frame_type != AMQP_FRAME_METHOD) continue;
        if (f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *a = (amqp_basic_ack_t *)f.payload.method.decoded;
            *tag = a->delivery_tag; *multiple = a->multiple; return 1;
        }
        if (f.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            amqp_basic_nack_t *n = (amqp_basic_nack_t *)f.payload.method.decoded;
            *tag = n->delivery_tag; *multiple = n->multiple; return 2;
        }
        if (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD || f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) return -1;
    }
}

/// Starts consuming `queue` (manual acks, at most `prefetch` unacknowledged).
static inline int dg_amqp_consume(amqp_connection_state_t c, const char *queue, int prefetch, char *buf, size_t len) {
    amqp_basic_qos(c, 1, 0, (uint16_t)prefetch, 0);
    if (dg_amqp_reply(amqp_get_rpc_reply(c), buf, len) != 0) return -1;
    amqp_basic_consume(c, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    return dg_amqp_reply(amqp_get_rpc_reply(c), buf, len);
}

/// One delivered message, copied out of the library's buffers.
typedef struct {
    uint64_t delivery_tag;
    int redelivered;
    char *message_id;      // malloc'd, NUL-terminated; NULL when the message has none
    char *routing_key;     // malloc'd
    void *body;            // malloc'd
    size_t body_len;
} dg_amqp_message;

static inline char *dg_amqp_strdup(amqp_bytes_t b) {
    char *s = (char *)malloc(b.len + 1);
    if (b.len) memcpy(s, b.bytes, b.len);
    s[b.len] = 0;
    return s;
}

/// Waits up to `timeout_ms` for a message: 1 got one (free it with dg_amqp_message_free), 0 timeout, -1 connection lost.
static inline int dg_amqp_next(amqp_connection_state_t c, int timeout_ms, dg_amqp_message *out) {
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    amqp_envelope_t e;
    amqp_maybe_release_buffers(c);
    amqp_rpc_reply_t r = amqp_consume_message(c, &e, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) return 0;
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t f;   // a method other than a delivery (basic.ack of a publisher, cancel …): read it and go on
            if (amqp_simple_wait_frame_noblock(c, &f, &tv) != AMQP_STATUS_OK) return -1;
            if (f.frame_type == AMQP_FRAME_METHOD && (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD || f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) return -1;
            return 0;
        }
        return -1;
    }
    out->delivery_tag = e.delivery_tag;
    out->redelivered = e.redelivered;
    out->message_id = (e.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) ? dg_amqp_strdup(e.message.properties.message_id) : NULL;
    out->routing_key = dg_amqp_strdup(e.routing_key);
    out->body = malloc(e.message.body.len ? e.message.body.len : 1);
    if (e.message.body.len) memcpy(out->body, e.message.body.bytes, e.message.body.len);
    out->body_len = e.message.body.len;
    amqp_destroy_envelope(&e);
    return 1;
}

static inline void dg_amqp_message_free(dg_amqp_message *m) { free(m->message_id); free(m->routing_key); free(m->body); }

static inline int dg_amqp_ack(amqp_connection_state_t c, uint64_t tag) { return amqp_basic_ack(c, 1, tag, 0); }
