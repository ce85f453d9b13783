using MLCardiac.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli;

/// <summary>Builds the <c>mlcardiac</c> command-line application; the tests run the same configuration in-process.</summary>
internal static class CliApp
{
    /// <summary>Creates the app with every command registered; output goes to <paramref name="console"/> (default: the terminal).</summary>
    public static CommandApp Create(IAnsiConsole? console = null)
    {
        IAnsiConsole output = console ?? AnsiConsole.Console;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("mlcardiac");
            config.ConfigureConsole(output);
            config.SetExceptionHandler((ex, _) => ErrorReporting.Report(ex, output));
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Shows a NIfTI image's shape, spacing, time step, datatype, orientation, affine and intensity range.")
                .WithExample("info", "case_sa.nii.gz")
                .WithExample("info", "case_sa.nii.gz", "--json");
            config.AddCommand<SynthCommand>("synth")
                .WithDescription("Writes the synthetic multi-vendor short-axis cine dataset (M&Ms layout) and/or a preview montage.")
                .WithExample("synth", "--out", "data/synthetic", "--subjects-per-vendor", "25", "--preview", "synth.png")
                .WithExample("synth", "--out", "data/synthetic", "--unlabeled-vendors", "C");
            config.AddCommand<AugmentCommand>("augment")
                .WithDescription("Previews what an augmentation preset does: --preview OUT.png, optionally --preset NAME and --seed N.")
                .WithExample("augment", "--preview", "augment.png", "--preset", "heavy", "--seed", "1");
            config.AddCommand<PlanCommand>("plan")
                .WithDescription("Fingerprints a dataset (spacing, grid, where the hearts lie, intensities per vendor) and writes DATA/plans.json: the crop, spacing, depth, width and batch train uses by default.")
                .WithExample("plan", "data/synthetic")
                .WithExample("plan", "data/mnms", "--device", "cuda", "--memory", "8g");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Trains a U-Net (or DANN) on some vendors and reports Dice per vendor on held-out subjects.")
                .WithExample("train", "--data", "data/synthetic", "--train-vendors", "A,B", "--out", "models/unet-ab")
                .WithExample("train", "--data", "data/synthetic", "--train-vendors", "A,B", "--target-vendors", "C", "--out", "models/dann-ab");
            config.AddCommand<ClassifyVendorCommand>("classify-vendor")
                .WithDescription("Trains the vendor classifier (ResNet, DenseNet or Inception), calibrates its unfamiliar-scanner warning and reports accuracy.")
                .WithExample("classify-vendor", "--data", "data/synthetic", "--unseen-vendors", "D", "--out", "models/vendor-classifier");
            config.AddBranch("data", data =>
            {
                data.SetDescription("Dataset tools.");
                data.AddCommand<DataInspectCommand>("inspect")
                    .WithDescription("Detects a dataset's layout and lists subjects per vendor and centre, spacing and matrix ranges, and every problem.")
                    .WithExample("data", "inspect", "data/synthetic");
                data.AddCommand<DataReportCommand>("report")
                    .WithDescription("Writes the dataset exploration page: subjects, spacing and matrix, intensity histograms raw and normalised, volumes, slices per vendor.")
                    .WithExample("data", "report", "data/synthetic", "--out", "reports/data-synthetic");
            });
            config.AddCommand<RunCommand>("run")
                .WithDescription("Runs (or resumes) a declarative study: trains every arm, evaluates seen and unseen vendors, writes reports/ID/report.html.")
                .WithExample("run", "pipelines/generalization-study.json", "--profile", "quick");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Regenerates a study's report.html, metrics.json and cases.csv from its saved results, or a distributed study's from its trial store (checksums verified).")
                .WithExample("report", "reports/generalization-study")
                .WithExample("report", "--store", "postgresql://mlc@db:5432/mlcardiac", "--study", "study/generalization-study");
            config.AddBranch("runs", runs =>
            {
                runs.SetDescription("The experiment-tracking store (reports/mlcardiac.db).");
                runs.AddCommand<RunsListCommand>("list").WithDescription("Lists recorded runs, newest first.");
                runs.AddCommand<RunsShowCommand>("show").WithDescription("Shows one run's parameters, metrics, timings and artifacts.").WithExample("runs", "show", "1");
                runs.AddCommand<RunsCompareCommand>("compare").WithDescription("Compares two runs' metrics, timings and parameters.").WithExample("runs", "compare", "1", "2");
                runs.AddCommand<RunsProgressCommand>("progress").WithDescription("Shows how far the searches in a trial store have got, across every worker that shares it.")
                    .WithExample("runs", "progress", "--store", "postgresql://mlc@db:5432/mlcardiac", "--search", "unet-cfo");
            });
            config.AddCommand<SearchCommand>("search")
                .WithDescription("AutoML: searches a pipeline's space (random, ASHA, CFO or CFO+ASHA), trials in SQLite or PostgreSQL (resumable; workers on many machines), refits the best and writes a report.")
                .WithExample("search", "pipelines/search-unet.json", "--budget", "30m")
                .WithExample("search", "pipelines/search-unet.json", "--budget", "1h", "--tuner", "asha", "--store", "shared/mlcardiac.db")
                .WithExample("search", "pipelines/search-unet.json", "--store", "postgresql://mlcardiac@db.example:5432/mlcardiac", "--enqueue-only");
            config.AddCommand<WorkerCommand>("worker")
                .WithDescription("Claims and runs trials of a search registered in a shared store (PostgreSQL), on any machine.")
                .WithExample("worker", "--store", "postgresql://mlcardiac@db.example:5432/mlcardiac", "--search", "search-unet-cfo-asha")
                .WithExample("worker", "--store", "postgresql://mlcardiac@db.example:5432/mlcardiac", "--search", "search-unet-cfo-asha", "--max-units", "10");
            config.AddBranch("store", store =>
            {
                store.SetDescription("Trial stores (SQLite files, PostgreSQL databases).");
                store.AddCommand<StoreCopyCommand>("copy").WithDescription("Copies searches with their trials from one store to another (e.g. SQLite to PostgreSQL).")
                    .WithExample("store", "copy", "--from", "reports/mlcardiac.db", "--to", "postgresql://mlcardiac@db.example:5432/mlcardiac", "--search", "search-unet-cfo-asha");
            });
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Segments a short-axis NIfTI with a trained model and writes the label map on the image's grid.")
                .WithExample("predict", "case_sa.nii.gz", "--model", "models/unet-ab", "--out", "case_pred.nii.gz", "--frame", "0");
            config.AddBranch("model", model =>
            {
                model.SetDescription("Model files.");
                model.AddCommand<ModelConvertCommand>("convert").WithDescription("Converts a model folder of an earlier release into model.zip.")
                    .WithExample("model", "convert", "models/unet-ab");
            });
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Exports a model folder (segmentation U-Net or vendor classifier) as ONNX, optionally also as an ML.NET model.")
                .WithExample("export", "--model", "models/unet-ab")
                .WithExample("export", "--model", "models/unet-ab", "--onnx", "unet-ab.onnx", "--mlnet", "unet-ab.zip");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Runs the HTTP service and web page that segment uploaded scans (loopback only by default).")
                .WithExample("serve", "--model", "models/unet-ab", "--classifier", "models/vendor-classifier", "--urls", "http://127.0.0.1:5080");
        });
        return app;
    }
}
