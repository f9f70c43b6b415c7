// StudyStore: one study's trials in PostgreSQL, shared by a driver (which
// proposes and queues trials) and any number of workers on any machines
// (which claim, evaluate and report them). Every statement is a single,
// at-once committed statement: no transaction stays open while a trial
// runs. Claims take a lease timed by the database clock and an attempt
// number; a result is accepted only from the attempt that holds the trial,
// so a worker declared dead can never overwrite a newer result.
// Passwords never appear in messages (redactUrl). One StudyStore is one
// connection: use one per thread.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pp {

// The URL with any password replaced by "***" (also "password=..." forms).
std::string redactUrl(const std::string& url);
// `message` (from libpq, say) with every trace of `url`'s password hidden:
// the URL itself, its password as written and decoded, and any quoted
// piece of the URL that holds part of it.
std::string redactSecrets(std::string message, const std::string& url);

struct StudyTrial {
  enum class State { Queued, Running, Done, Failed };
  int64_t id = 0;
  State state = State::Queued;
  int attempt = 0;
  std::string subnetJson;  // as queued
  std::string resultJson;  // the trial record (Done), empty otherwise
  std::string reason;      // why it failed (lease expired too often)
  std::string damage;      // why the row as read cannot be trusted (an unknown state), or empty
  int64_t seq = 0;         // finished_seq: grows each time a row is queued or finished
};

struct Claim {
  int64_t id = 0;
  int attempt = 0;
  std::string subnetJson;
};

class StudyStore {
 public:
  // Connects (keep-alives on; a few retries with back-off); throws
  // pp::Error naming the redacted URL and the server's reason.
  explicit StudyStore(const std::string& url);
  ~StudyStore();
  StudyStore(const StudyStore&) = delete;
  StudyStore& operator=(const StudyStore&) = delete;

  // A connection setting as libpq uses it now ("connect_timeout",
  // "keepalives_idle", "application_name", ...): ours by default, the URL's
  // where it gives one. Empty when unset; never a password.
  std::string connectionSetting(const std::string& keyword);

  // Creates the tables if missing (safe when many processes start at once).
  // Only the driver, `study init` and `study import-log` do: workers and
  // readers need no CREATE rights (docs/distributed.md, the grants).
  void ensureSchema();
  // Whether the tables exist (a worker may start before anyone created them).
  bool schemaExists();
  // The study's id and header; nullopt if there is no such study (or no tables).
  struct Study {
    int64_t id = 0;
    std::string headerJson;
    bool finished = false;
    std::string stopReason;
  };
  std::optional<Study> findStudy(const std::string& name);
  // Creates the study with this header, or returns the existing one.
  Study createStudy(const std::string& name, const nlohmann::json& header);
  void updateHeader(int64_t study, const nlohmann::json& header);
  void finishStudy(int64_t study, const std::string& reason);
  // Holds the study's driver lock (a session advisory lock) for as long as
  // this store lives; false if another driver holds it. A reconnection takes
  // it again, or throws pp::Error if another driver took it meanwhile.
  bool tryLockDriver(int64_t study);

  // Queues a sub-network under `id`; false if its key is already in the study.
  bool enqueue(int64_t study, int64_t id, const std::string& key, const std::string& subnetJson);
  // The lowest queued trial, now running under a new attempt and a lease of
  // `leaseSeconds`; nullopt if none is queued. One statement (FOR UPDATE SKIP LOCKED).
  std::optional<Claim> claim(int64_t study, const std::string& worker, double leaseSeconds);
  // Extends the lease; false if the trial is no longer ours (reaped).
  bool heartbeat(int64_t study, const Claim& c, double leaseSeconds);
  // Gives a claim back unfinished (a worker stopped): queued again, its
  // attempt not counted; false if the claim is stale.
  bool release(int64_t study, const Claim& c);
  // Records the result; false (and nothing written) if the claim is stale.
  bool complete(int64_t study, const Claim& c, const std::string& trialJson);
  // Expired leases go back to the queue, or fail after `maxAttempts`; the count.
  int reapExpired(int64_t study, int maxAttempts);
  // In the order they finished; with `afterSeq` >= 0 only the rows queued
  // or finished since the row of that sequence number (StudyTrial::seq).
  std::vector<StudyTrial> trials(int64_t study, int64_t afterSeq = -1);
  // Workers seen (claim or heartbeat) within `seconds`.
  int activeWorkers(int64_t study, double seconds);
  // Marks a worker alive (a heartbeat of the worker itself, between trials).
  void touchWorker(int64_t study, const std::string& worker);

  // For tests: the server-side process id of this connection.
  int backendPid();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pp
