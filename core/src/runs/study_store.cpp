#include "paretoprune/runs/study_store.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <regex>
#include <thread>
#include <utility>
#include <vector>

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "base/text_time.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {
// Where the password of a URL's user information lies: between the user's
// ':' and the last '@' before the query, whatever characters it holds.
std::pair<size_t, size_t> passwordSpan(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {0, 0};
  const size_t start = scheme + 3;
  const size_t query = url.find('?', start);
  const size_t at = url.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (at == std::string::npos || at < start) return {0, 0};
  const size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return {0, 0};
  return {colon + 1, at - colon - 1};
}

const std::regex& passwordKeyword() {
  static const std::regex re(R"((password\s*=\s*)('[^']*'?|[^\s&]*))", std::regex::icase);
  return re;
}

// The password as written: in the user information, and every password=
// value (a query parameter or a keyword=value string).
std::vector<std::string> rawSecrets(const std::string& url) {
  std::vector<std::string> out;
  const auto [pos, len] = passwordSpan(url);
  if (len > 0) out.push_back(url.substr(pos, len));
  for (std::sregex_iterator it(url.begin(), url.end(), passwordKeyword()), end; it != end; ++it)
    if ((*it)[2].length() > 0) out.push_back((*it)[2].str());
  return out;
}

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}
}  // namespace

std::string redactUrl(const std::string& url) {
  std::string out = url;
  const auto [pos, len] = passwordSpan(url);
  if (len > 0) out.replace(pos, len, "***");
  return std::regex_replace(out, passwordKeyword(), "$1***");
}

std::string redactSecrets(std::string message, const std::string& url) {
  replaceAll(message, url, redactUrl(url));
  std::vector<std::string> secrets = rawSecrets(url);
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), nullptr)) {
    for (PQconninfoOption* o = opts; o->keyword; ++o)
      if (std::string(o->keyword) == "password" && o->val && *o->val) secrets.push_back(o->val);
    PQconninfoFree(opts);
  }
  // A quoted piece of the URL that holds or is part of the password (a bad
  // percent escape, say) is hidden whole.
  const auto [spanPos, spanLen] = passwordSpan(url);
  std::string out;
  size_t pos = 0;
  for (size_t open; (open = message.find('"', pos)) != std::string::npos;) {
    const size_t close = message.find('"', open + 1);
    if (close == std::string::npos) break;
    std::string quoted = message.substr(open + 1, close - open - 1);
    for (const auto& sec : secrets)
      if (!quoted.empty() &&
          (quoted.find(sec) != std::string::npos || sec.find(quoted) != std::string::npos))
        quoted = "***";
    // A piece of the URL that overlaps where the password is written (libpq
    // may read "u:pa@ss@host" as password "pa" and host "ss@host").
    for (size_t at = quoted.empty() ? std::string::npos : url.find(quoted);
         spanLen > 0 && at != std::string::npos; at = url.find(quoted, at + 1))
      if (at < spanPos + spanLen && at + quoted.size() > spanPos) quoted = "***";
    out += message.substr(pos, open + 1 - pos) + quoted + '"';
    pos = close + 1;
  }
  out += message.substr(pos);
  for (const auto& sec : secrets) replaceAll(out, sec, "***");
  return std::regex_replace(out, passwordKeyword(), "$1***");
}

namespace {
constexpr int kRetries = 6;

struct Rows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<bool>> nulls;
  int64_t affected = 0;
};

// A state this program never writes reads as failed, with `damage` saying so.
StudyTrial::State parseState(const std::string& s, std::string& damage) {
  if (s == "queued") return StudyTrial::State::Queued;
  if (s == "running") return StudyTrial::State::Running;
  if (s == "done") return StudyTrial::State::Done;
  if (s == "failed") return StudyTrial::State::Failed;
  damage = "unknown trial state \"" + s.substr(0, 20) + "\"";
  return StudyTrial::State::Failed;
}

// A number as SQL reads it, whatever the process's locale (std::to_string
// follows LC_NUMERIC: "60,000000" under de_DE, which PostgreSQL refuses).
std::string sqlNumber(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

int64_t toInt(const std::string& s, const char* what) {
  try {
    size_t pos = 0;
    const long long v = std::stoll(s, &pos);
    if (pos == s.size()) return v;
  } catch (...) {
  }
  throw Error(std::string("study store: ") + what + " is not a number (\"" + s.substr(0, 20) +
              "\")");
}
}  // namespace

struct StudyStore::Impl {
  std::string url, shown;
  PGconn* conn = nullptr;
  std::vector<int64_t> driverLocks;  // studies whose driver lock this connection holds

  // Takes the driver locks again on a new connection (a session lock ends
  // with its session): false if the connection failed meanwhile; throws if
  // another driver holds one now.
  bool relock(std::string& lastError) {
    for (const int64_t study : driverLocks) {
      const std::string id = std::to_string(study);
      const char* p[] = {id.c_str()};
      PGresult* r = PQexecParams(conn, "SELECT pg_try_advisory_lock(727378002, $1::int)", 1,
                                 nullptr, p, nullptr, nullptr, 0);
      const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
      const bool held = ok && std::string(PQgetvalue(r, 0, 0)) == "t";
      if (!ok) lastError = redactSecrets(firstLine(PQresultErrorMessage(r)), url);
      PQclear(r);
      if (!ok) return false;
      if (!held)
        throw Error("study store (" + shown +
                    "): the connection was lost, and another driver took the study's driver "
                    "lock meanwhile: this driver stops (the other one drives the study)");
    }
    return true;
  }

  void connect() {
    if (conn) PQfinish(conn);
    // Our defaults first, the user's URL (expanded from dbname) last: what
    // the URL says (connect_timeout, keepalives, application_name, a
    // service, sslmode) wins.
    const char* keys[] = {"keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "connect_timeout",
                          "application_name",
                          "dbname",
                          nullptr};
    const char* values[] = {"1", "10", "5", "3", "10", "paretoprune", url.c_str(), nullptr};
    conn = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
      const std::string why = redactSecrets(firstLine(PQerrorMessage(conn)), url);
      PQfinish(conn);
      conn = nullptr;
      throw Error("cannot connect to " + shown + ": " + why);
    }
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);  // CREATE ... IF NOT EXISTS notices
  }

  // One statement with text parameters, committed at once. Lost connections
  // are re-opened with back-off and the statement retried, as are
  // serialization failures and deadlocks (every statement here is safe to
  // repeat: a repeated claim at worst leaves a lease to expire).
  Rows exec(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> p;
    for (const auto& s : params) p.push_back(s.c_str());
    std::string lastError;
    for (int attempt = 0; attempt < kRetries; ++attempt) {
      if (attempt > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 5)));
      if (!conn || PQstatus(conn) != CONNECTION_OK) {
        try {
          connect();
        } catch (const Error& e) {
          lastError = e.what();
          continue;
        }
        if (!relock(lastError)) continue;
      }
      PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(),
                                 nullptr, nullptr, 0);
      const ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        Rows out;
        const char* n = PQcmdTuples(r);
        out.affected = n && *n ? std::atoll(n) : 0;
        for (int i = 0; i < PQntuples(r); ++i) {
          std::vector<std::string> row;
          std::vector<bool> nul;
          for (int j = 0; j < PQnfields(r); ++j) {
            nul.push_back(PQgetisnull(r, i, j));
            row.emplace_back(PQgetvalue(r, i, j), static_cast<size_t>(PQgetlength(r, i, j)));
          }
          out.rows.push_back(std::move(row));
          out.nulls.push_back(std::move(nul));
        }
        PQclear(r);
        return out;
      }
      const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const std::string sqlstate = code ? code : "";
      lastError = redactSecrets(firstLine(PQresultErrorMessage(r)), url);
      PQclear(r);
      const bool lost =
          PQstatus(conn) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01";
      const bool retry = lost || sqlstate == "40001" || sqlstate == "40P01";
      if (!retry) throw Error("study store (" + shown + "): " + lastError);
    }
    throw Error("study store (" + shown + "): " + lastError + " (gave up after " +
                std::to_string(kRetries) + " tries)");
  }
};

StudyStore::StudyStore(const std::string& url) : impl_(std::make_unique<Impl>()) {
  impl_->url = url;
  impl_->shown = redactUrl(url);
  // A URL libpq cannot read will not read on a second try.
  char* parseError = nullptr;
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), &parseError)) {
    PQconninfoFree(opts);
  } else {
    const std::string why = parseError ? firstLine(parseError) : "out of memory";
    PQfreemem(parseError);
    throw Error("cannot read the connection URL " + impl_->shown + ": " + redactSecrets(why, url));
  }
  std::string lastError;
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      impl_->connect();
      return;
    } catch (const Error& e) {
      lastError = e.what();
      // A wrong password or a missing database will not change: say so at once.
      if (lastError.find("password") != std::string::npos ||
          lastError.find("does not exist") != std::string::npos)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
  }
  throw Error(lastError);
}

std::string StudyStore::connectionSetting(const std::string& keyword) {
  if (keyword == "password" || !impl_->conn) return {};
  std::string value;
  if (PQconninfoOption* opts = PQconninfo(impl_->conn)) {
    for (const PQconninfoOption* o = opts; o->keyword; ++o)
      if (keyword == o->keyword && o->val) value = o->val;
    PQconninfoFree(opts);
  }
  return value;
}

StudyStore::~StudyStore() {
  if (impl_->conn) PQfinish(impl_->conn);
}

void StudyStore::ensureSchema() {
  // One creator at a time: CREATE TABLE IF NOT EXISTS races with itself.
  impl_->exec(R"(
    DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(727378001);
      CREATE TABLE IF NOT EXISTS pp_studies (
        id BIGSERIAL PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        header JSONB NOT NULL,
        finished BOOLEAN NOT NULL DEFAULT FALSE,
        stop_reason TEXT NOT NULL DEFAULT '',
        created TIMESTAMPTZ NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS pp_trials (
        study_id BIGINT NOT NULL REFERENCES pp_studies(id) ON DELETE CASCADE,
        id BIGINT NOT NULL,
        key TEXT NOT NULL,
        subnet JSONB NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        attempt INT NOT NULL DEFAULT 0,
        worker TEXT,
        lease_until TIMESTAMPTZ,
        result JSONB,
        reason TEXT NOT NULL DEFAULT '',
        finished_seq BIGSERIAL,
        PRIMARY KEY (study_id, id),
        UNIQUE (study_id, key));
      CREATE INDEX IF NOT EXISTS pp_trials_queue ON pp_trials (study_id, state, id);
      CREATE TABLE IF NOT EXISTS pp_workers (
        study_id BIGINT NOT NULL REFERENCES pp_studies(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (study_id, name));
    END $$;)",
              {});
}

bool StudyStore::schemaExists() {
  Rows r = impl_->exec(
      "SELECT to_regclass('pp_studies') IS NOT NULL AND to_regclass('pp_trials') IS NOT NULL AND "
      "to_regclass('pp_workers') IS NOT NULL",
      {});
  return !r.rows.empty() && r.rows[0][0] == "t";
}

std::optional<StudyStore::Study> StudyStore::findStudy(const std::string& name) {
  if (!schemaExists()) return std::nullopt;
  Rows r = impl_->exec(
      "SELECT id, header::text, finished, stop_reason FROM pp_studies WHERE name = $1", {name});
  if (r.rows.empty()) return std::nullopt;
  Study s;
  s.id = toInt(r.rows[0][0], "study id");
  s.headerJson = r.rows[0][1];
  s.finished = r.rows[0][2] == "t";
  s.stopReason = r.rows[0][3];
  return s;
}

StudyStore::Study StudyStore::createStudy(const std::string& name, const nlohmann::json& header) {
  impl_->exec(
      "INSERT INTO pp_studies (name, header) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO NOTHING",
      {name, header.dump()});
  auto s = findStudy(name);
  if (!s)
    throw Error("study store (" + impl_->shown + "): study \"" + name +
                "\" vanished after it was created");
  return *s;
}

void StudyStore::updateHeader(int64_t study, const nlohmann::json& header) {
  impl_->exec("UPDATE pp_studies SET header = $2::jsonb WHERE id = $1",
              {std::to_string(study), header.dump()});
}

void StudyStore::finishStudy(int64_t study, const std::string& reason) {
  impl_->exec("UPDATE pp_studies SET finished = TRUE, stop_reason = $2 WHERE id = $1",
              {std::to_string(study), reason});
}

bool StudyStore::tryLockDriver(int64_t study) {
  Rows r = impl_->exec("SELECT pg_try_advisory_lock(727378002, $1::int)", {std::to_string(study)});
  const bool held = !r.rows.empty() && r.rows[0][0] == "t";
  if (held) impl_->driverLocks.push_back(study);
  return held;
}

bool StudyStore::enqueue(int64_t study, int64_t id, const std::string& key,
                         const std::string& subnetJson) {
  Rows r = impl_->exec(
      "INSERT INTO pp_trials (study_id, id, key, subnet) VALUES ($1, $2, $3, $4::jsonb) ON "
      "CONFLICT DO NOTHING",
      {std::to_string(study), std::to_string(id), key, subnetJson});
  return r.affected == 1;
}

std::optional<Claim> StudyStore::claim(int64_t study, const std::string& worker,
                                       double leaseSeconds) {
  Rows r = impl_->exec(R"(
    WITH next AS (
      SELECT study_id, id FROM pp_trials WHERE study_id = $1 AND state = 'queued'
      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),
    seen AS (
      INSERT INTO pp_workers (study_id, name, last_seen) VALUES ($1, $2, now())
      ON CONFLICT (study_id, name) DO UPDATE SET last_seen = now())
    UPDATE pp_trials t SET state = 'running', attempt = t.attempt + 1, worker = $2,
                           lease_until = now() + make_interval(secs => $3::float8)
    FROM next WHERE t.study_id = next.study_id AND t.id = next.id
    RETURNING t.id, t.attempt, t.subnet::text)",
                       {std::to_string(study), worker, sqlNumber(leaseSeconds)});
  if (r.rows.empty()) return std::nullopt;
  Claim c;
  c.id = toInt(r.rows[0][0], "trial id");
  c.attempt = static_cast<int>(toInt(r.rows[0][1], "attempt"));
  c.subnetJson = r.rows[0][2];
  return c;
}

bool StudyStore::heartbeat(int64_t study, const Claim& c, double leaseSeconds) {
  Rows r = impl_->exec(
      "UPDATE pp_trials SET lease_until = now() + make_interval(secs => $4::float8) "
      "WHERE study_id = $1 AND id = $2 AND attempt = $3 AND state = 'running'",
      {std::to_string(study), std::to_string(c.id), std::to_string(c.attempt),
       sqlNumber(leaseSeconds)});
  return r.affected == 1;
}

bool StudyStore::complete(int64_t study, const Claim& c, const std::string& trialJson) {
  Rows r = impl_->exec(
      "UPDATE pp_trials SET state = 'done', result = $4::jsonb, lease_until = NULL, "
      "finished_seq = nextval(pg_get_serial_sequence('pp_trials', 'finished_seq')) "
      "WHERE study_id = $1 AND id = $2 AND attempt = $3 AND state = 'running'",
      {std::to_string(study), std::to_string(c.id), std::to_string(c.attempt), trialJson});
  return r.affected == 1;
}

bool StudyStore::release(int64_t study, const Claim& c) {
  Rows r = impl_->exec(
      "UPDATE pp_trials SET state = 'queued', attempt = GREATEST(attempt - 1, 0), worker = NULL, "
      "lease_until = NULL WHERE study_id = $1 AND id = $2 AND attempt = $3 AND state = 'running'",
      {std::to_string(study), std::to_string(c.id), std::to_string(c.attempt)});
  return r.affected == 1;
}

int StudyStore::reapExpired(int64_t study, int maxAttempts) {
  Rows r = impl_->exec(
      "UPDATE pp_trials SET state = CASE WHEN attempt >= $2 THEN 'failed' ELSE 'queued' END, "
      "reason = CASE WHEN attempt >= $2 THEN 'its lease expired ' || attempt || ' times (the "
      "workers died or were "
      "cut off)' ELSE reason END, worker = NULL, lease_until = NULL, "
      "finished_seq = nextval(pg_get_serial_sequence('pp_trials', 'finished_seq')) "
      "WHERE study_id = $1 AND state = 'running' AND lease_until < now()",
      {std::to_string(study), std::to_string(maxAttempts)});
  return static_cast<int>(r.affected);
}

std::vector<StudyTrial> StudyStore::trials(int64_t study, int64_t afterSeq) {
  Rows r = impl_->exec(
      "SELECT id, state, attempt, subnet::text, COALESCE(result::text, ''), reason, finished_seq "
      "FROM pp_trials WHERE study_id = $1 AND finished_seq > $2 ORDER BY finished_seq, id",
      {std::to_string(study), std::to_string(afterSeq)});
  std::vector<StudyTrial> out;
  for (const auto& row : r.rows) {
    StudyTrial t;
    t.id = toInt(row[0], "trial id");
    t.state = parseState(row[1], t.damage);
    t.attempt = static_cast<int>(toInt(row[2], "attempt"));
    t.subnetJson = row[3];
    t.resultJson = row[4];
    t.reason = row[5];
    t.seq = toInt(row[6], "finished_seq");
    out.push_back(std::move(t));
  }
  return out;
}

int StudyStore::activeWorkers(int64_t study, double seconds) {
  Rows r = impl_->exec(
      "SELECT count(*) FROM pp_workers WHERE study_id = $1 AND last_seen > now() - "
      "make_interval(secs => $2::float8)",
      {std::to_string(study), sqlNumber(seconds)});
  return r.rows.empty() ? 0 : static_cast<int>(toInt(r.rows[0][0], "worker count"));
}

void StudyStore::touchWorker(int64_t study, const std::string& worker) {
  impl_->exec(
      "INSERT INTO pp_workers (study_id, name, last_seen) VALUES ($1, $2, now()) "
      "ON CONFLICT (study_id, name) DO UPDATE SET last_seen = now()",
      {std::to_string(study), worker});
}

int StudyStore::backendPid() {
  return PQbackendPID(impl_->conn);
}

}  // namespace pp
