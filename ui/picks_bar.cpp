#include "ui/picks_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "paretoprune/search/recommend.h"

namespace ppui {

PicksBar::PicksBar(QWidget* parent) : QWidget(parent), label_(new QLabel(this)) {
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(4, 2, 4, 2);
  row->addWidget(label_);
  for (const char* kind : {"knee", "smallest", "fastest"}) {
    auto* b = new QPushButton(this);
    b->setObjectName(QString("pick_") + kind);
    b->setFlat(true);
    b->setVisible(false);
    row->addWidget(b);
    buttons_.push_back(b);
  }
  row->addStretch(1);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  label_->setText(tr("Recommended: none yet"));
}

void PicksBar::refresh(const std::vector<pp::Trial>& trials,
                       const std::vector<std::string>& objectives,
                       const std::vector<std::string>& constraints,
                       const std::optional<pp::Trial>& ref, const std::string& metric,
                       size_t firstRecovered, double chanceError) {
  for (auto* b : buttons_) {
    b->setVisible(false);
    b->disconnect();
  }
  picks_.clear();
  recovered_.clear();
  std::vector<pp::Pick> picks;
  std::vector<pp::Constraint> cs;
  try {
    cs = pp::parseConstraints(constraints);
    pp::RecommendOptions ro;
    ro.metric = metric;

    picks = pp::recommendPicks(trials, objectives, cs, ref ? &*ref : nullptr, ro);
  } catch (const std::exception& e) {
    label_->setText(tr("Recommended: none (%1)").arg(QString::fromStdString(e.what())));
    return;
  }
  const bool again = firstRecovered < trials.size();
  QString text = picks.empty() ? (cs.empty() ? tr("Recommended: none yet")
                                             : tr("Recommended: no trial meets the constraints"))
                 : cs.empty()  ? tr("Recommended")
                               : tr("Recommended (feasible only)");
  if (!picks.empty()) text += (again ? tr(", picked again over the recovered points:") : ":");
  // A full model at chance level: its picks mean little; said before them.
  const std::string chance = pp::chanceLevelNote(ref ? &*ref : nullptr, chanceError, metric);
  if (!chance.empty()) text = tr("Warning: model at chance level. ") + text;  // all of it on hover
  label_->setText(text);
  label_->setToolTip(QString::fromStdString(chance));
  for (const auto& p : picks) {
    QPushButton* b = buttons_[static_cast<size_t>(p.kind)];
    const pp::Trial& t = trials[p.index];
    b->setText(tr("%1: trial %2%3 (%4)")
                   .arg(QString(pp::pickKindName(p.kind)))
                   .arg(t.id)
                   .arg(p.index >= firstRecovered ? tr(" recovered") : QString())
                   .arg(QString::fromStdString(t.subnet.summary())));
    b->setToolTip(QString::fromStdString(p.reason));
    const int64_t id = t.id;
    picks_.push_back({QString(pp::pickKindName(p.kind)), id});
    if (p.index >= firstRecovered) recovered_.insert(id);
    connect(b, &QPushButton::clicked, this, [this, id] { Q_EMIT pickClicked(id); });
    b->setVisible(true);
  }
}

QString PicksBar::text() const {
  QString s = label_->text();
  for (auto* b : buttons_)
    if (!b->isHidden()) s += " " + b->text();
  return s;
}

}  // namespace ppui
