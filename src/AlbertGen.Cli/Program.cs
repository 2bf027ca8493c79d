using System.CommandLine;
using AlbertGen.Cli.Commands;

namespace AlbertGen.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("albertgen: ALBERT (A Lite BERT) for .NET — HF-compatible inference, tokenization and training");
        // One line per verb; each verb lives in Commands/<Verb>Command.cs.
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(FillMaskCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(EmbedEvalCommand.Create());
        root.Subcommands.Add(AnswerCommand.Create());
        root.Subcommands.Add(TokenClassifyCommand.Create());
        root.Subcommands.Add(MultipleChoiceCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(SelfTestCommand.Create());
#if ALBERTGEN_TRAINING
        root.Subcommands.Add(PretrainCommand.Create()); // training verbs: not in the NativeAOT build (TorchSharp)
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(AlbertizeCommand.Create());
#endif
        return root.Parse(args).Invoke();
    }
}
