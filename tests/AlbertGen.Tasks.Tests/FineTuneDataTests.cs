using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tests;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.FineTuning;

namespace AlbertGen.Tasks.Tests;

/// <summary>The fine-tuning data readers and the features they make (no libtorch needed).</summary>
public class FineTuneDataTests
{
    static string Data(string name) => Path.Combine(Fixtures.Dir("finetune-data"), name);
    static AlbertTokenizer Tokenizer() => AlbertTokenizer.FromModelDirectory(Fixtures.Dir("pipeline-qa"));

    [Fact]
    public void Conll_sentences_skip_docstart_and_take_the_last_column()
    {
        var sentences = ConllReader.Read(Data("ner.conll"));
        Assert.Equal(30, sentences.Count);
        Assert.Equal(["Yesterday", "Anna", "went", "to", "Paris", "."], sentences[0].Words);
        Assert.Equal(["O", "B-PER", "O", "O", "B-LOC", "O"], sentences[0].Tags);
        Assert.Equal(3, sentences[0].FirstLine);
        Assert.Equal(["B-LOC", "B-PER", "I-LOC", "O"], ConllReader.LabelList(sentences));
    }

    [Fact]
    public void A_conll_line_without_a_tag_names_file_and_line()
    {
        using var tmp = new TempDir();
        File.WriteAllLines(tmp.File("bad.conll"), ["John B-PER", "went O", "", "Paris"]);
        var e = Assert.Throws<AlbertInputException>(() => ConllReader.Read(tmp.File("bad.conll")));
        Assert.Contains("bad.conll:4", e.Message);
    }

    [Fact]
    public void Token_labels_go_to_the_first_piece_of_each_word_only()
    {
        var tokenizer = Tokenizer();
        var task = new TokenClassificationTask(tokenizer, ["B-LOC", "B-PER", "I-LOC", "O"], 64);
        var sentence = new TaggedSentence(["Zyxwvut", "visited", "Kxqzland", "."], ["B-PER", "O", "B-LOC", "O"], "t.conll", 1);
        var f = task.Encode(sentence);
        Assert.Equal(1, f.Encoding.SpecialTokensMask[0]); // [CLS]
        Assert.Equal(AlbertLosses.IgnoreIndex, f.Labels[0]);
        Assert.Equal(AlbertLosses.IgnoreIndex, f.Labels[^1]);
        Assert.True(f.Encoding.Length > 6, "the made-up words split into several pieces");
        var labelled = Enumerable.Range(0, f.Labels.Length).Where(p => f.Labels[p] != AlbertLosses.IgnoreIndex).ToArray();
        Assert.Equal([1, 3, 0, 3], labelled.Select(p => f.Labels[p]));
        Assert.Equal([0, 1, 2, 3], f.FirstPieceWords);
        // the pieces from a labelled one up to the next (or the final [SEP]) spell exactly its word
        string[] words = ["zyxwvut", "visited", "kxqzland", "."];
        for (int w = 0; w < 4; w++)
        {
            int end = w < 3 ? labelled[w + 1] : f.Encoding.Length - 1;
            string spelled = string.Concat(f.Encoding.Pieces[labelled[w]..end]).Replace("\u2581", "", StringComparison.Ordinal);
            Assert.Equal(words[w], spelled, ignoreCase: true);
        }
    }

    [Fact]
    public void An_unknown_tag_names_file_and_line()
    {
        var task = new TokenClassificationTask(Tokenizer(), ["O", "B-PER"], 64);
        var e = Assert.Throws<AlbertInputException>(() => task.Encode(new TaggedSentence(["John", "Paris"], ["B-PER", "B-LOC"], "x.conll", 10)));
        Assert.Contains("x.conll:11", e.Message);
        Assert.Contains("B-LOC", e.Message);
    }

    [Fact]
    public void Squad_answer_positions_point_at_the_tokens_covering_the_answer()
    {
        var data = SquadReader.Read(Data("squad.json"));
        Assert.False(data.Version2);
        Assert.Equal(24, data.Examples.Count);
        var task = new QuestionAnsweringTask(Tokenizer(), 64, 16, version2: false);
        foreach (var (example, i) in data.Examples.Select((e, i) => (e, i)))
        {
            var features = task.Features(example, i);
            var f = Assert.Single(features);
            Assert.True(f.StartPosition >= f.ContextFirst && f.EndPosition <= f.ContextLast && f.StartPosition <= f.EndPosition, example.Id);
            var off = f.Encoding.Offsets;
            string covered = example.Context[off[f.StartPosition].Start..off[f.EndPosition].End];
            Assert.Equal(example.Answers[0].Text, covered.Trim());
            Assert.Equal(1, f.Encoding.TokenTypeIds[f.StartPosition]);
        }
    }

    [Fact]
    public void A_long_context_becomes_overlapping_windows_and_only_those_holding_the_answer_point_at_it()
    {
        var tokenizer = Tokenizer();
        string filler = string.Concat(Enumerable.Repeat("It lives in a small house. ", 12));
        string context = filler + "The dog is named Rex. " + filler;
        var example = new SquadExample("long", "What is the dog named?", context, [new SquadAnswer("Rex", context.IndexOf("Rex", StringComparison.Ordinal))], false);
        const int stride = 8;
        var task = new QuestionAnsweringTask(tokenizer, 32, stride, version2: false);
        var features = task.Features(example, 0);
        int contextTokens = tokenizer.TokenizeToSpans(context).Count;
        Assert.True(features.Count >= 4, $"{features.Count} windows for {contextTokens} context tokens");
        for (int k = 1; k < features.Count; k++)
        {
            // the last `stride` context tokens of a window open the next one
            var prev = features[k - 1];
            var next = features[k];
            var tail = Enumerable.Range(prev.ContextLast - stride + 1, stride).Select(p => prev.Encoding.Offsets[p]);
            var head = Enumerable.Range(next.ContextFirst, stride).Select(p => next.Encoding.Offsets[p]);
            Assert.Equal(tail, head);
            Assert.True(prev.Encoding.Length <= 32);
        }
        Assert.Equal(context.TrimEnd().Length, features[^1].Encoding.Offsets[features[^1].ContextLast].End);
        var holding = features.Where(f => f.Encoding.Offsets[f.ContextFirst].Start <= example.Answers[0].Start
                                          && f.Encoding.Offsets[f.ContextLast].End >= example.Answers[0].Start + 3).ToList();
        Assert.NotEmpty(holding);
        foreach (var f in features)
        {
            if (holding.Contains(f))
                Assert.Equal("Rex", context[f.Encoding.Offsets[f.StartPosition].Start..f.Encoding.Offsets[f.EndPosition].End].Trim());
            else
                Assert.Equal((0, 0), (f.StartPosition, f.EndPosition));
        }
    }

    [Fact]
    public void Unanswerable_questions_point_at_cls()
    {
        var data = SquadReader.Read(Data("squad-v2.json"));
        Assert.True(data.Version2);
        var task = new QuestionAnsweringTask(Tokenizer(), 64, 16, version2: true);
        var impossible = data.Examples.Select((e, i) => (e, i)).Where(x => x.e.IsImpossible).ToList();
        Assert.Equal(6, impossible.Count);
        foreach (var (e, i) in impossible)
            Assert.All(task.Features(e, i), f => Assert.Equal((0, 0), (f.StartPosition, f.EndPosition)));
    }

    [Fact]
    public void A_doc_stride_that_leaves_no_progress_is_refused()
    {
        var example = new SquadExample("q", "Why?", string.Concat(Enumerable.Repeat("word ", 100)), [], true);
        var e = Assert.Throws<ArgumentException>(() => new QuestionAnsweringTask(Tokenizer(), 32, 128, version2: true).Features(example, 0));
        Assert.Contains("doc stride 128", e.Message);
    }

    [Fact]
    public void Bad_squad_files_name_the_file_and_the_place()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("outside.json"), """{"data": [{"paragraphs": [{"context": "short", "qas": [{"id": "a", "question": "q?", "answers": [{"text": "longer text", "answer_start": 2}]}]}]}]}""");
        var e = Assert.Throws<AlbertInputException>(() => SquadReader.Read(tmp.File("outside.json")));
        Assert.Contains("outside.json", e.Message);
        Assert.Contains("data[0].paragraphs[0].qas[0].answers[0]", e.Message);
        File.WriteAllText(tmp.File("broken.json"), "{\"data\": [\n{\"paragraphs\": ]}");
        e = Assert.Throws<AlbertInputException>(() => SquadReader.Read(tmp.File("broken.json")));
        Assert.Contains("broken.json:2", e.Message);
        File.WriteAllText(tmp.File("nocontext.json"), """{"data": [{"paragraphs": [{"qas": []}]}]}""");
        e = Assert.Throws<AlbertInputException>(() => SquadReader.Read(tmp.File("nocontext.json")));
        Assert.Contains("data[0].paragraphs[0].context", e.Message);
    }

    [Fact]
    public void Multiple_choice_lines_parse_with_and_without_a_question()
    {
        var examples = MultipleChoiceReader.Read(Data("choices.jsonl"));
        Assert.Equal(32, examples.Count);
        Assert.Equal("Its colour was", examples[0].Question);
        Assert.Null(examples[1].Question);
        Assert.All(examples, e => Assert.Equal(4, e.Choices.Length));
        Assert.Equal(1, examples[1].Label);
        var batch = new MultipleChoiceTask(Tokenizer(), 64).Inputs(examples.Take(3).ToList());
        Assert.Equal((12, 4, 3), (batch.Rows, batch.NumChoices, batch.BatchSize));
    }

    [Theory]
    [InlineData("""{"context": "c", "choices": ["a", "b"], "label": 2}""", "'label'")]
    [InlineData("""{"context": "c", "choices": ["a"], "label": 0}""", "'choices'")]
    [InlineData("""{"choices": ["a", "b"], "label": 0}""", "'context'")]
    [InlineData("""{"context": "c", "choices": ["a", "b", "c"], "label": 0}""", "3 choices")]
    [InlineData("""{"context": "c", "choices": ["a", "b"], "label": 0""", "malformed JSON")]
    public void Bad_multiple_choice_lines_name_file_and_line(string line, string expected)
    {
        using var tmp = new TempDir();
        File.WriteAllLines(tmp.File("mc.jsonl"), ["""{"context": "ok", "choices": ["x", "y"], "label": 1}""", "", line]);
        var e = Assert.Throws<AlbertInputException>(() => MultipleChoiceReader.Read(tmp.File("mc.jsonl")));
        Assert.Contains("mc.jsonl:3", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Sequence_data_reads_pairs_regression_values_and_label_sets()
    {
        var sts = SequenceClassificationData.Read(Data("stsb.tsv"), ["LABEL_0"], SequenceClassificationData.Regression);
        Assert.Equal(40, sts.Count);
        Assert.Equal("the film was here", sts[0].Text);
        Assert.Equal("the film is great", sts[0].Pair);
        Assert.Equal([5f], sts[0].Targets!);
        var labels = SequenceClassificationData.CollectLabelSet(Data("multilabel.tsv"));
        Assert.Equal(["animal", "food", "sport"], labels);
        var ml = SequenceClassificationData.Read(Data("multilabel.tsv"), labels, SequenceClassificationData.MultiLabel);
        Assert.Equal([0f, 0f, 1f], ml[0].Targets!); // "tennis" → sport
        Assert.Equal([1f, 1f, 0f], ml[1].Targets!); // "cat and soup" → animal, food
    }

    [Theory]
    [InlineData("sentence1\tsentence2\tscore\na\tb\thigh\n", "regression", "t.tsv:2", "not a number")]
    [InlineData("sentence\tlabel\nfine\tanimal,plant\n", "multi_label_classification", "t.tsv:2", "'plant'")]
    [InlineData("sentence\tlabel\nfine\n", "single_label_classification", "t.tsv:2", "columns")]
    public void Bad_sequence_data_names_file_and_line(string content, string problem, string where, string expected)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("t.tsv"), content);
        var e = Assert.Throws<AlbertInputException>(() => SequenceClassificationData.Read(tmp.File("t.tsv"), problem == "regression" ? ["LABEL_0"] : ["animal", "food"], problem));
        Assert.Contains(where, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Sequence_data_reads_cola_and_sst2_layouts_with_indices_or_names()
    {
        using var tmp = new TempDir();
        File.WriteAllLines(tmp.File("cola.tsv"), ["gj04\t1\t\tThe sailors rode the breeze.", "gj04\t0\t*\tThe rope stretched the weights of."]);
        var cola = SequenceClassificationData.Read(tmp.File("cola.tsv"), ["unacceptable", "acceptable"], SequenceClassificationData.SingleLabel);
        Assert.Equal([("The sailors rode the breeze.", 1), ("The rope stretched the weights of.", 0)], cola.Select(e => (e.Text, e.Label)));
        File.WriteAllLines(tmp.File("sst2.tsv"), ["sentence\tlabel", "a gripping film \tpositive", "dull\t0"]);
        var sst = SequenceClassificationData.Read(tmp.File("sst2.tsv"), ["negative", "positive"], SequenceClassificationData.SingleLabel);
        Assert.Equal([("a gripping film", 1), ("dull", 0)], sst.Select(e => (e.Text, e.Label)));
        Assert.All(sst, e => Assert.Null(e.Pair));
    }

    [Fact]
    public void Task_configs_name_the_hf_class_and_the_labels()
    {
        var pretrained = HeadSelection.TaskConfig(AlbertGen.Config.AlbertConfig.Load(Path.Combine(Fixtures.Dir("pipeline-mlm"), "config.json")),
            AlbertGen.Config.AlbertHead.SequenceClassification, ["a", "b", "c"], SequenceClassificationData.SingleLabel);
        var qa = new QuestionAnsweringTask(Tokenizer(), 64, 16, version2: false).ModelConfig(pretrained);
        Assert.Equal("AlbertForQuestionAnswering", Assert.Single(qa.Architectures));
        Assert.Equal(2, qa.NumLabels); // qa_outputs: start and end
        Assert.Null(qa.ProblemType);
        var tok = new TokenClassificationTask(Tokenizer(), ["O", "B-X", "I-X"], 64).ModelConfig(pretrained);
        Assert.Equal("AlbertForTokenClassification", Assert.Single(tok.Architectures));
        Assert.Equal(["O", "B-X", "I-X"], tok.Id2Label);
        Assert.Null(tok.ProblemType);
        var reg = new SequenceClassificationTask(Tokenizer(), ["score"], SequenceClassificationData.Regression, 64).ModelConfig(pretrained);
        Assert.Equal(("regression", 1), (reg.ProblemType, reg.NumLabels));
        Assert.Equal("AlbertForMultipleChoice", Assert.Single(new MultipleChoiceTask(Tokenizer(), 64).ModelConfig(pretrained).Architectures));
    }
}
