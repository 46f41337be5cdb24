// Package notify is the notification outbox: a message is written in the same transaction as
// the event it reports and sent afterwards by a job through its channel, so nothing is lost on
// a crash and nothing is sent for a change that was rolled back.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Message is one notification.
type Message struct {
	ID        int64          `json:"id"`
	Channel   string         `json:"channel"`
	Recipient string         `json:"recipient"`
	Event     string         `json:"event"`
	Subject   string         `json:"subject"`
	Body      string         `json:"body"`
	Payload   map[string]any `json:"payload,omitempty"`
	// ExpiresAt is when the message is no longer worth sending (a sign-in code past its
	// validity); zero takes the event's Freshness.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Freshness is how long after it was written a message of event is still worth sending; 0 means
// always. A hall call or "3 ahead" reminder that arrives after the visitor's turn has passed only
// misleads; a decision, a correction request or a deadline warning is worth sending however late.
func Freshness(event string) time.Duration {
	switch {
	case strings.HasPrefix(event, "ticket."): // ticket.called, ticket.near
		return 10 * time.Minute
	case event == "applicant.code": // the code's own validity, when the producer did not say
		return 5 * time.Minute
	case strings.HasPrefix(event, "appointment."):
		return 24 * time.Hour
	}
	return 0
}

// RetryDelay is how long to wait before sending again after attempt (1, 2, …) failed: doubling
// from 5 s, at most a minute for a message that expires (so it still has several chances within
// its freshness) and 15 minutes for one that never does.
func RetryDelay(attempt int, expires bool) time.Duration {
	limit := 15 * time.Minute
	if expires {
		limit = time.Minute
	}
	d := 5 * time.Second
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Channel delivers messages of one kind.
type Channel interface {
	Send(ctx context.Context, m Message) error
}

// LogChannel writes messages to the structured log (development, and the audit of what was sent).
type LogChannel struct{ Logger *slog.Logger }

// Send logs the message.
func (c LogChannel) Send(ctx context.Context, m Message) error {
	c.Logger.InfoContext(ctx, "notification", "channel", m.Channel, "to", m.Recipient, "event", m.Event, "subject", m.Subject, "body", m.Body)
	return nil
}

// WebhookChannel posts each message as JSON to a URL (a department's system, a supervision
// platform). A non-2xx answer is an error, so the job retries.
type WebhookChannel struct {
	URL    string
	Client *http.Client
}

// Send posts the message, with its Idempotency-Key.
func (c WebhookChannel) Send(ctx context.Context, m Message) (err error) {
	defer errs.Wrap(&err, "notify.WebhookChannel.Send")
	return c.post(ctx, idempotencyKey(m.ID), m)
}

func (c WebhookChannel) post(ctx context.Context, key string, v any) error {
	b, _ := json.Marshal(v)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %d", c.URL, resp.StatusCode)
	}
	return nil
}

// Outbox stores and sends messages.
type Outbox struct {
	db       *store.DB
	now      func() time.Time
	channels map[string]Channel
	jobs     Jobs
	logger   *slog.Logger
	node     string
}

// Jobs is what the outbox needs of the job runner: the sending job is inserted in the
// transaction that writes the message.
type Jobs interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Config wires an outbox; every field is required.
type Config struct {
	DB  *store.DB
	Now func() time.Time
	// Channels by name ("log", "webhook", "sms"): a message is written once per channel.
	Channels map[string]Channel
	// Jobs schedules the sending (jobs.Discard where nothing is to be sent).
	Jobs Jobs
	// Logger records each failed attempt to send.
	Logger *slog.Logger
}

// NewOutbox returns an outbox; every field of c is required (wiring.Require).
func NewOutbox(c Config) (_ *Outbox, err error) {
	defer errs.Wrap(&err, "notify.NewOutbox")
	if err := wiring.Require("notify.NewOutbox", wiring.Deps{"DB": c.DB, "Now": c.Now, "Channels": c.Channels, "Jobs": c.Jobs,
		"Logger": c.Logger}); err != nil {
		return nil, err
	}
	return &Outbox{db: c.DB, now: c.Now, channels: c.Channels, jobs: c.Jobs, logger: c.Logger, node: nodeName()}, nil
}

// nodeName names this process in the claims it writes (claimed_by): host and process id, for an
// operator who finds a claim left behind.
func nodeName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// Channels lists the configured channel names.
func (o *Outbox) Channels() []string {
	out := make([]string, 0, len(o.channels))
	for k := range o.channels {
		out = append(out, k)
	}
	return out
}

// Has reports whether a channel is configured.
func (o *Outbox) Has(name string) bool { _, ok := o.channels[name]; return ok }

// Add writes a message for every configured channel inside tx.
func (o *Outbox) Add(ctx context.Context, tx *store.Tx, m Message) (err error) {
	defer errs.Wrap(&err, "notify.Outbox.Add")
	names := make([]string, 0, len(o.channels))
	for name := range o.channels {
		names = append(names, name)
	}
	return o.add(ctx, tx, o.reaching(names, m.Recipient), m)
}

// AddTo writes a message for one channel only (a sign-in code goes by SMS, never to a webhook).
func (o *Outbox) AddTo(ctx context.Context, tx *store.Tx, channel string, m Message) (err error) {
	defer errs.Wrap(&err, "notify.Outbox.AddTo")
	if !o.Has(channel) {
		return fmt.Errorf("outbox: channel %q is not configured", channel)
	}
	return o.add(ctx, tx, []string{channel}, m)
}

func (o *Outbox) add(ctx context.Context, tx *store.Tx, names []string, m Message) error {
	payload, _ := json.Marshal(m.Payload)
	now := o.now().UTC()
	var expires *time.Time
	if !m.ExpiresAt.IsZero() {
		e := m.ExpiresAt.UTC()
		expires = &e
	} else if f := Freshness(m.Event); f > 0 {
		e := now.Add(f)
		expires = &e
	}
	for _, name := range names {
		// A read, so that on PostgreSQL it goes in one round trip with the writes queued before it.
		var id int64
		err := tx.ReadTogether(ctx, store.Read{Query: `INSERT INTO notifications (channel, recipient, event, subject, body, payload, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, Args: []any{name, m.Recipient, m.Event, m.Subject, m.Body, string(payload), now, expires},
			Row: func(scan func(...any) error) error { return scan(&id) }})
		if err == nil && id == 0 {
			err = sql.ErrNoRows
		}
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if err := o.jobs.InsertTx(ctx, tx, SendArgs{ID: id, ExpiresAt: expires}, nil); err != nil {
			return fmt.Errorf("outbox: schedule sending: %w", err)
		}
	}
	return nil
}

// ErrAlreadySent tells the job there is nothing left to do.
var ErrAlreadySent = errors.New("notify: already sent")

// ErrExpired tells the job the message was past its freshness: marked expired, not sent.
var ErrExpired = errors.New("notify: expired")

// ErrClaimed tells the job another sender holds the message's claim (it is being handed to its
// channel right now): this job does not send it; it looks again later (the job snoozes) and
// then finds it sent, or free again after a failed attempt or an expired claim.
var ErrClaimed = errors.New("notify: being sent by another job")

// ClaimTimeout is how long a sender's claim on a message holds. A sender hands a message to its
// channel within the job's Timeout (30 s) and then marks it sent or frees the claim; a claim
// older than this is a crashed node's, and the next job takes it over, so the message is not
// lost (at worst handed to the channel a second time under the same idempotency key).
const ClaimTimeout = 2 * time.Minute

// OrderWindow is how far back an unsent message holds back the later messages to its recipient:
// about the two days its job keeps trying (SendArgs.InsertOpts), so one River gave up on does
// not silence the recipient for good.
const OrderWindow = 3 * 24 * time.Hour

// Send delivers one stored message and marks it sent; each attempt is counted. A message past
// its expiry is marked expired instead and never sent. The channel gets the message's ID, which
// gateways take as the idempotency key: a send that is repeated (a retry after a lost answer, a
// job run twice after a crash) is delivered once.
//
// A recipient's messages on a channel go in the order they were written: before a message, the
// earlier ones to the same recipient still pending are sent (or expire by their own freshness),
// so a case's 已办结 never arrives before its 已受理 whichever job runs first; while an earlier
// one cannot be sent, the later one waits (an error: its job retries).
func (o *Outbox) Send(ctx context.Context, id int64) (err error) {
	defer errs.Wrap(&err, "notify.Outbox.Send")
	m, err := o.load(ctx, id)
	if err != nil {
		return err
	}
	earlier, err := o.pendingBefore(ctx, m)
	if err != nil {
		return err
	}
	for _, e := range earlier {
		em, err := o.load(ctx, e)
		if err == nil {
			err = o.deliver(ctx, em)
		}
		if err != nil && !errors.Is(err, ErrAlreadySent) && !errors.Is(err, ErrExpired) {
			o.logger.WarnContext(ctx, "notification held back behind an earlier one", "id", id, "earlier", e, "err", err)
			return fmt.Errorf("outbox %d: waiting for earlier message %d: %w", id, e, err)
		}
	}
	return o.deliver(ctx, m)
}

// stored is a message with its sending state.
type stored struct {
	Message
	createdAt     time.Time
	sent, expired bool
	expires       sql.NullTime
}

func (o *Outbox) load(ctx context.Context, id int64) (stored, error) {
	var m stored
	var payload string
	var sent, expired sql.NullTime
	err := o.db.QueryRowContext(ctx, `SELECT id, channel, recipient, event, subject, body, payload, created_at, sent_at, expired_at, expires_at
		FROM notifications WHERE id = ?`, id).
		Scan(&m.ID, &m.Channel, &m.Recipient, &m.Event, &m.Subject, &m.Body, &payload, &m.createdAt, &sent, &expired, &m.expires)
	if err != nil {
		return m, fmt.Errorf("outbox %d: %w", id, err)
	}
	m.sent, m.expired = sent.Valid, expired.Valid
	if m.expires.Valid {
		m.ExpiresAt = m.expires.Time
	}
	_ = json.Unmarshal([]byte(payload), &m.Payload)
	return m, nil
}

// pendingBefore lists the messages written before m to the same recipient on the same channel,
// within OrderWindow, neither sent nor expired, oldest first.
func (o *Outbox) pendingBefore(ctx context.Context, m stored) ([]int64, error) {
	if m.sent || m.expired {
		return nil, nil
	}
	rows, err := o.db.QueryContext(ctx, `SELECT id FROM notifications
		WHERE channel = ? AND recipient = ? AND id < ? AND sent_at IS NULL AND expired_at IS NULL AND created_at >= ?
		ORDER BY id`, m.Channel, m.Recipient, m.ID, m.createdAt.Add(-OrderWindow))
	if err != nil {
		return nil, fmt.Errorf("outbox %d: earlier messages: %w", m.ID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("outbox %d: earlier messages: %w", m.ID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox %d: earlier messages: %w", m.ID, err)
	}
	return ids, nil
}

// deliver sends one loaded message through its channel and records the attempt. Only the
// sender that claims the message hands it to the channel (claim); the claim is freed when the
// attempt fails and kept, as the record of who sent it, when it succeeds.
func (o *Outbox) deliver(ctx context.Context, m stored) error {
	id := m.ID
	if m.sent {
		return ErrAlreadySent
	}
	if m.expired {
		return ErrExpired
	}
	now := o.now().UTC()
	if m.expires.Valid && !now.Before(m.expires.Time) {
		if _, err := o.db.ExecContext(ctx, `UPDATE notifications SET expired_at = ? WHERE id = ? AND sent_at IS NULL`, now, id); err != nil {
			return fmt.Errorf("outbox %d: mark expired: %w", id, err)
		}
		return ErrExpired
	}
	token, err := o.claim(ctx, id, now)
	if err != nil {
		return err
	}
	ch, ok := o.channels[m.Channel]
	var sendErr error
	if !ok {
		sendErr = fmt.Errorf("no channel %q configured", m.Channel)
	} else {
		sendErr = ch.Send(ctx, m.Message)
	}
	if sendErr != nil {
		o.logger.WarnContext(ctx, "notification not sent", "id", id, "channel", m.Channel, "event", m.Event, "err", sendErr)
		// A fresh context: the attempt may have failed because ctx ended, and the claim must
		// still be freed for the next attempt.
		if _, err := o.db.ExecContext(context.WithoutCancel(ctx), `UPDATE notifications SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_at = NULL
			WHERE id = ? AND sent_at IS NULL AND claimed_by = ?`, sendErr.Error(), id, token); err != nil {
			o.logger.WarnContext(ctx, "notification claim not freed", "id", id, "err", err)
		}
		return sendErr
	}
	// The channel took it: recorded whatever happens to ctx now (a job's timeout ending it here
	// would leave the message unsent on record and send it again after the claim's timeout).
	_, err = o.db.ExecContext(context.WithoutCancel(ctx), `UPDATE notifications SET attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ? AND sent_at IS NULL`, o.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("outbox %d: mark sent: %w", id, err)
	}
	return nil
}

// claim takes message id for this sender in one conditional UPDATE: it must be neither sent nor
// expired, and unclaimed or claimed longer than ClaimTimeout ago. Of two jobs racing for the
// message exactly one changes the row (on PostgreSQL the second waits for the first's row lock and
// then sees its claim; SQLite has one writer); the other gets ErrClaimed, or ErrAlreadySent /
// ErrExpired when the row has moved on meanwhile.
//
// The claim is this attempt's own token (the node and a random part): a sender frees only its own
// claim, never one a later sender took over after ClaimTimeout.
func (o *Outbox) claim(ctx context.Context, id int64, now time.Time) (string, error) {
	var r [6]byte
	_, _ = rand.Read(r[:])
	token := o.node + "/" + hex.EncodeToString(r[:])
	res, err := o.db.ExecContext(ctx, `UPDATE notifications SET claimed_by = ?, claimed_at = ?
		WHERE id = ? AND sent_at IS NULL AND expired_at IS NULL AND (claimed_at IS NULL OR claimed_at <= ?)`,
		token, now, id, now.Add(-ClaimTimeout))
	if err != nil {
		return "", fmt.Errorf("outbox %d: claim: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return "", fmt.Errorf("outbox %d: claim: %w", id, err)
	}
	if n == 1 {
		return token, nil
	}
	m, err := o.load(ctx, id)
	switch {
	case err != nil:
		return "", err
	case m.sent:
		return "", ErrAlreadySent
	case m.expired:
		return "", ErrExpired
	}
	return "", fmt.Errorf("outbox %d: %w", id, ErrClaimed)
}

// SendArgs is the job that sends one stored message.
type SendArgs struct {
	ID int64 `json:"id"`
	// ExpiresAt is the message's expiry, if any: retries are spaced to fit before it.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "notify.send" }

// InsertOpts: a message that never expires is tried for about two days (15 minutes apart once
// the gateway has been failing a while) before River gives up on it.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 200} }

// SendWorker works SendArgs: a failed send is retried after RetryDelay; an expired one ends.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Outbox *Outbox
}

// Work sends the message. While another job holds its claim (or an earlier message's), the job
// snoozes and looks again: not a failed attempt.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) (err error) {
	defer errs.Wrap(&err, "notify.SendWorker.Work")
	err = w.Outbox.Send(ctx, job.Args.ID)
	switch {
	case err == nil, errors.Is(err, ErrAlreadySent), errors.Is(err, ErrExpired):
		return nil
	case errors.Is(err, ErrClaimed):
		return river.JobSnooze(claimSnooze)
	}
	return err
}

// claimSnooze is how long a job waits when another holds the message's claim: long enough for
// that attempt to end, short enough for a hall call.
const claimSnooze = 15 * time.Second

// NextRetry spaces the attempts with RetryDelay instead of River's default, whose hours-long
// steps would deliver a hall call twenty minutes late.
func (w *SendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	return time.Now().Add(RetryDelay(job.Attempt, job.Args.ExpiresAt != nil))
}

// Timeout bounds one attempt: a gateway that hangs is a failure, retried.
func (w *SendWorker) Timeout(*river.Job[SendArgs]) time.Duration { return 30 * time.Second }

// idempotencyKey names a message to a gateway or webhook.
func idempotencyKey(id int64) string { return "banhao-notification-" + strconv.FormatInt(id, 10) }

// SMSGateway sends one text message to a phone number (a carrier's or the province's SMS
// platform).
type SMSGateway interface {
	// SendSMS sends text to phone once per key: the same key again is not a second message.
	SendSMS(ctx context.Context, key, phone, text string) error
}

// SMSChannel texts the person behind a message's recipient. The outbox keeps only references
// ("ticket:ID"); Resolve finds the phone number when the message is sent. Both fields are
// required.
type SMSChannel struct {
	Gateway SMSGateway
	Resolve func(ctx context.Context, recipient string) (string, error)
}

// Send texts the message body.
func (c *SMSChannel) Send(ctx context.Context, m Message) (err error) {
	defer errs.Wrap(&err, "notify.SMSChannel.Send")
	phone, err := c.Resolve(ctx, m.Recipient)
	if err != nil {
		return err
	}
	return c.Gateway.SendSMS(ctx, idempotencyKey(m.ID), phone, m.Body)
}

// HTTPGateway posts {"id","phone","text"} as JSON to an SMS gateway's URL, with the message's
// key as "id" and as the Idempotency-Key header; non-2xx is an error.
type HTTPGateway struct {
	URL    string
	Client *http.Client
}

// SendSMS posts one message.
func (g HTTPGateway) SendSMS(ctx context.Context, key, phone, text string) (err error) {
	defer errs.Wrap(&err, "notify.HTTPGateway.SendSMS")
	return WebhookChannel{URL: g.URL, Client: g.Client}.post(ctx, key, map[string]string{"id": key, "phone": phone, "text": text})
}
