import FloeCLI
import Foundation

exit(FloeCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
