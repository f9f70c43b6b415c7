// SetupPanel's help: a tooltip on every field and on its label, in a user's
// words, so that a choice is explained where it is made and a text cut short
// by the panel's width (a placeholder, a long choice) can still be read.
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include "ui/setup_panel.h"

namespace ppui {

namespace {
// The field's tooltip, and its label's in the form it sits in.
void explain(QWidget* field, const QString& text) {
  field->setToolTip(text);
  for (QWidget* p = field->parentWidget(); p; p = p->parentWidget()) {
    auto* form = qobject_cast<QFormLayout*>(p->layout());
    if (!form) continue;
    if (QWidget* label = form->labelForField(field)) label->setToolTip(text);
    break;
  }
}
}  // namespace

void SetupPanel::addHelp() {
  explain(modelEdit_,
          tr("The fine-tuned model to prune: a Hugging Face directory with config.json, the "
             "weights (model.safetensors) and the tokenizer. Prepare model trains it as a "
             "super-network first, which makes its sub-networks much better."));
  explain(dataEdit_,
          tr("Labelled examples: .tsv, .csv or .jsonl with a text and a label column (a "
             "tagger's: CoNLL or .jsonl with tokens and tags). The columns are found by name; "
             "pick them below if not."));
  explain(valEdit_,
          tr("The examples every sub-network is judged on. Leave it empty to hold out 30% of "
             "the data; give a file when the model was trained on the data file, or every "
             "error reads too low."));
  explain(textCol_, tr("The column holding the text (a sentence, a review)."));
  explain(pairCol_, tr("For sentence pairs (entailment, paraphrase): the second text's column."));
  explain(labelCol_, tr("The column holding the label; its values must be the model's labels "
                        "(or their ids)."));
  explain(spaceBox_,
          tr("Which sub-networks are tried. seed: one number of layers, heads and feed-forward "
             "units for all layers (the published recipe). per-layer: heads and units chosen "
             "for each layer. layers only: whole layers dropped."));
  explain(strategyBox_,
          tr("How the next sub-network is chosen. auto picks one for the run and says why; "
             "random is the published recipe; the others learn from the trials so far."));
  explain(objectivesBox_, tr("What the Pareto front trades off: the error against the size "
                             "(parameters), the compute (FLOPs) or the measured latency."));
  explain(trialsSpin_, tr("How many sub-networks to evaluate. auto: enough for the strategy "
                          "and the space, and the run stops early once the front stops "
                          "improving."));
  explain(workersSpin_, tr("Sub-networks evaluated at once: one per GPU, or CPU threads "
                           "shared out. auto fits the machine."));
  explain(deviceBox_, tr("Where the sub-networks are evaluated."));
  explain(seedSpin_, tr("The same seed, data and settings give the same trials."));
  explain(subsetSpin_, tr("Judge each sub-network on this many validation examples only "
                          "(faster, noisier); all: the whole validation set."));
  explain(maxLenSpin_, tr("Longer texts are cut to this many tokens (as the model will be "
                          "used: a shorter limit is faster)."));
  explain(logEdit_, tr("Where the trials are written as they finish (.jsonl). Empty: a file "
                       "in your runs folder (File > Recent runs). Start continues a log "
                       "opened here."));
  explain(storageEdit_,
          tr("A PostgreSQL database to share the study with workers on other machines "
             "(paretoprune-cli worker). The password is best kept in ~/.pgpass, not here."));
  explain(studyEdit_, tr("The study's name in the database: workers join it by this name."));
  for (QSpinBox* b : {minLayers_, maxLayers_})
    explain(b, tr("The fewest and most layers a sub-network keeps."));
  for (QSpinBox* b : {minUnits_, maxUnits_})
    explain(b, tr("The fewest and most feed-forward units a layer keeps."));
}

}  // namespace ppui
