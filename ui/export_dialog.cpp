#include "ui/export_dialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "paretoprune/export/export.h"
#include "paretoprune/export/export_request.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/model/model.h"

namespace ppui {

ExportDialog::ExportDialog(const pp::RunHeader& run, const QString& logPath, const pp::Trial& trial,
                           std::shared_ptr<ModelCache> models, QWidget* parent)
    : QDialog(parent),
      run_(run),
      logPath_(logPath),
      trial_(trial),
      models_(models ? std::move(models) : std::make_shared<ModelCache>()) {
  setWindowTitle(tr("Export trial %1").arg(trial.id));
  auto* v = new QVBoxLayout(this);
  auto* head = new QLabel(tr("<b>%1</b><br>accuracy %2%, %3 parameters")
                              .arg(QString::fromStdString(trial.subnet.summary()).toHtmlEscaped())
                              .arg(100.0 * trial.accuracy, 0, 'f', 2)
                              .arg(QLocale().toString(static_cast<qlonglong>(trial.params))),
                          this);
  v->addWidget(head);
  auto* f = new QFormLayout;
  outEdit_ = new QLineEdit(
      QDir(QDir::homePath()).filePath(QString("paretoprune-trial-%1").arg(trial.id)), this);
  auto* browse = new QPushButton(tr("Browse..."), this);
  auto* row = new QHBoxLayout;
  row->addWidget(outEdit_, 1);
  row->addWidget(browse);
  f->addRow(tr("Output directory"), row);
  formatBox_ = new QComboBox(this);
  formatBox_->setObjectName("format");
  // First, so the default: the format transformers 4 and 5 both load.
  formatBox_->addItem(tr("Hugging Face for transformers 4.x and 5.x (removed heads zeroed)"),
                      "hf-any");
  formatBox_->addItem(tr("Hugging Face for transformers 4.x (pruned_heads)"), "hf");
  if (pp::onnxAvailable()) {  // a build with -DPARETOPRUNE_ONNX=OFF has none
    formatBox_->addItem(tr("ONNX (ONNX Runtime, transformers.js; exact sizes)"), "onnx");
    formatBox_->addItem(tr("ONNX, int8 dynamic quantisation"), "onnx-int8");
  }
  formatBox_->addItem(tr("TorchScript (model.pt, exact sizes)"), "torchscript");
  formatBox_->addItem(tr("TorchScript, int8 dynamic quantisation (CPU)"), "int8");
  f->addRow(tr("Format"), formatBox_);
  padBox_ = new QCheckBox(tr("Zero-pad feed-forward units to the widest layer"), this);
  f->addRow(QString(), padBox_);
  v->addLayout(f);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  v->addWidget(note_);
  busyBar_ = new QProgressBar(this);
  busyBar_->setRange(0, 0);
  busyBar_->hide();
  v->addWidget(busyBar_);
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  v->addWidget(result_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  exportBtn_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  v->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, [this] {
    if (!busy_) reject();
  });
  connect(exportBtn_, &QPushButton::clicked, this, [this] { startExport(false); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString d =
        QFileDialog::getExistingDirectory(this, tr("Parent directory"), QDir::homePath());
    if (!d.isEmpty())
      outEdit_->setText(QDir(d).filePath(QString("paretoprune-trial-%1").arg(trial_.id)));
  });
  connect(formatBox_, &QComboBox::currentIndexChanged, this, &ExportDialog::updateFormatNote);
  connect(padBox_, &QCheckBox::toggled, this, &ExportDialog::updateFormatNote);
  updateFormatNote();
  resize(560, sizeHint().height());
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::setOutput(const QString& dir) {
  outEdit_->setText(dir);
}

void ExportDialog::setFormat(const QString& fmt) {
  formatBox_->setCurrentIndex(formatBox_->findData(fmt));
}

QString ExportDialog::message() const {
  return result_->text();
}

void ExportDialog::updateFormatNote() {
  // transformers' BERT has one intermediate_size: say so, never change silently.
  const bool uneven = pp::needsUnitPadding(trial_.subnet);
  const bool hf = formatBox_->currentData().toString() == "hf";
  padBox_->setVisible(hf && uneven);
  if (hf && uneven) {
    note_->setText(
        padBox_->isChecked()
            ? tr("Each layer's feed-forward units are zero-padded to the widest kept layer: the "
                 "outputs "
                 "are unchanged, the file is a little larger.")
            : tr("This sub-network keeps a different number of feed-forward units per layer, but "
                 "transformers' BERT has one intermediate_size for all layers. Choose TorchScript "
                 "for "
                 "exact sizes, or tick the padding option."));
    exportBtn_->setEnabled(padBox_->isChecked());
  } else {
    note_->setText(
        formatNote(pp::parseExportFormat(formatBox_->currentData().toString().toStdString())));
    exportBtn_->setEnabled(true);
  }
}

QString ExportDialog::formatNote(pp::ExportFormat f) {
  const QString loads = tr("Loads in: %1.").arg(QString::fromUtf8(pp::exportFormatLoadsIn(f)));
  switch (f) {
    case pp::ExportFormat::HuggingFace:
      return tr("AutoModelForSequenceClassification.from_pretrained; removed heads are in "
                "pruned_heads, which transformers 5 no longer applies.") +
             " " + loads;
    case pp::ExportFormat::HuggingFaceAny:
      return tr("No pruned_heads: kept layers keep every head, removed heads' weights are zero "
                "(same outputs, a larger file).") +
             " " + loads;
    case pp::ExportFormat::Onnx:
    case pp::ExportFormat::OnnxInt8:
      return tr("onnx/model%1.onnx with config.json and tokenizer.json, each layer at its own "
                "size.")
                 .arg(f == pp::ExportFormat::OnnxInt8 ? "_quantized" : "") +
             " " + loads;
    case pp::ExportFormat::TorchScript:
    case pp::ExportFormat::Int8:
      break;
  }
  return tr(
      "Loads with torch.jit.load (Python) or torch::jit::load (C++): forward(input_ids, "
      "attention_mask, token_type_ids) -> logits.");
}

QString ExportDialog::summaryText(const pp::ExportSummary& s) {
  const pp::ExportResult& r = s.result;
  QString text = tr("Exported to <b>%1</b>: %2 files, %3 MiB; ")
                     .arg(QString::fromStdString(r.dir).toHtmlEscaped())
                     .arg(r.files.size())
                     .arg(s.mebibytes(), 0, 'f', 2);
  text += s.logitsCompared() ? tr("checked on %1 texts, largest logit difference %2.")
                                   .arg(r.verifyExamples)
                                   .arg(r.maxLogitDiff, 0, 'g', 3)
                             : tr("nothing was run.");
  if (s.onnxChecked()) text += " " + tr("The ONNX file passed ONNX's checker and shape inference.");
  if (!r.note.empty()) text += "<br>" + QString::fromStdString(r.note).toHtmlEscaped();
  return text;
}

void ExportDialog::startExport(bool overwrite) {
  if (busy_) return;
  const QString out = outEdit_->text();
  if (out.isEmpty()) return;
  if (QFileInfo::exists(out) && !overwrite) {
    if (QMessageBox::question(this, tr("Replace?"), tr("%1 exists. Replace it?").arg(out)) !=
        QMessageBox::Yes)
      return;
    overwrite = true;
  }
  pp::ExportRequest req;
  req.modelDir = run_.model;
  req.takeTrial(run_, trial_, logPath_.toStdString());
  req.outDir = out.toStdString();
  req.format = pp::parseExportFormat(formatBox_->currentData().toString().toStdString());
  req.force = overwrite;
  req.padUnits = padBox_->isChecked();
  busy_ = true;
  busyBar_->show();
  exportBtn_->setEnabled(false);
  result_->setText(tr("Exporting..."));
  auto result = std::make_shared<QString>();
  task_.start(
      [req, models = models_, result] {
        // runExport checks the trial's run against the model before writing.
        *result = summaryText(pp::runExport(req, *models->load(req.modelDir)));
      },
      [this, result](const QString& error) {
        const bool ok = error.isEmpty();
        const QString msg =
            ok ? *result : tr("Export failed, nothing was written: %1").arg(error.toHtmlEscaped());
        busy_ = false;
        busyBar_->hide();
        exportBtn_->setEnabled(true);
        result_->setText(msg);
        result_->setStyleSheet(ok ? "color: #206020;" : "color: #a02020;");
        Q_EMIT exportFinished(ok, msg);
      });
}

}  // namespace ppui
